/**
 * PM2 7 with an isolated PM2_HOME per session, driven through its CLI as a
 * user would (`pm2 start ecosystem.config.js`, `pm2 restart all`, …) and
 * always ended with `pm2 kill`.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../lib/exec';
import { type Fleet, NODE, type WorkerDef } from '../lib/fleet';
import { isAlive, readPidFile, TAG_VAR } from '../lib/procfs';
import { workerLogFiles } from '../lib/tail';
import type { ToolDriver, ToolSession } from './tool';

const PM2_BIN = join(__dirname, '..', '..', 'node_modules', 'pm2', 'bin', 'pm2');

function appOf(worker: WorkerDef, logs: string): Record<string, unknown> {
  const isNode = worker.program === NODE;
  return {
    name: worker.name,
    script: isNode ? worker.args[0] : worker.program,
    args: isNode ? worker.args.slice(1) : worker.args,
    interpreter: isNode ? 'node' : 'none',
    env: worker.env,
    autorestart: true,
    out_file: join(logs, `${worker.name}-out.log`),
    error_file: join(logs, `${worker.name}-err.log`),
  };
}

class Pm2Session implements ToolSession {
  private readonly home: string;
  private readonly ecosystem: string;
  private readonly logs: string;

  constructor(private readonly fleet: Fleet, private readonly dir: string) {
    this.home = join(dir, 'pm2home');
    this.ecosystem = join(dir, 'ecosystem.config.js');
    this.logs = join(dir, 'logs');
    mkdirSync(this.logs, { recursive: true });
  }

  private pm2(args: string[], allowFailure = false) {
    const env = { ...process.env, PM2_HOME: this.home, [TAG_VAR]: this.fleet.tag };
    return runCommand(NODE, [PM2_BIN, ...args], { env, allowFailure });
  }

  async start(): Promise<void> {
    const apps = this.fleet.workers.map((worker) => appOf(worker, this.logs));
    writeFileSync(this.ecosystem, `module.exports = ${JSON.stringify({ apps }, null, 2)};\n`);
    await this.pm2(['start', this.ecosystem]);
  }

  controls() {
    return [
      { tool: 'pm2', restartAll: async () => void (await this.pm2(['restart', 'all'])) },
      { tool: 'pm2-reload', restartAll: async () => void (await this.pm2(['reload', 'all'])) },
    ];
  }

  async applyInvalid() {
    const broken = join(this.dir, 'broken.config.js');
    writeFileSync(broken, 'module.exports = { apps: [ { name: "w0", script: "sleep", args: "1000", } ;\n');
    const result = await this.pm2(['reload', broken], true);
    return { said: (result.stderr + result.stdout).trim(), exitCode: result.code };
  }

  outputReaders() {
    return [workerLogFiles('pm2', this.logs)];
  }

  async daemonPids(): Promise<number[]> {
    return readPidFile(join(this.home, 'pm2.pid'));
  }

  async stop(): Promise<void> {
    await this.pm2(['kill']);
  }

  async dispose(): Promise<void> {
    if ((await this.daemonPids()).some(isAlive)) await this.pm2(['kill'], true).catch(() => undefined);
    for (const pid of (await this.daemonPids()).filter(isAlive)) process.kill(pid, 'SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const pm2Driver: ToolDriver = {
  name: 'pm2',
  unavailable: async () => (existsSync(PM2_BIN) ? null : 'npm package pm2 is not installed (npm install)'),
  version: async () => JSON.parse(readFileSync(join(PM2_BIN, '..', '..', 'package.json'), 'utf8')).version,
  open: (fleet, dir) => new Pm2Session(fleet, dir),
};
