/**
 * supervisord (Debian `supervisor`) with its own temporary config, socket
 * and logs — never the system service — driven through supervisorctl over a
 * unix socket in the session's directory. Program settings are supervisord's
 * defaults (startsecs=1 included) except where noted.
 */
import { writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../lib/exec';
import { commandLine, type Fleet, type WorkerDef } from '../lib/fleet';
import { isAlive, readPidFile, TAG_VAR } from '../lib/procfs';
import { workerLogFiles } from '../lib/tail';
import type { ToolDriver, ToolSession } from './tool';

function programSection(worker: WorkerDef, logs: string, kind: Fleet['kind']): string {
  const environment = Object.entries(worker.env)
    .map(([key, value]) => `${key}="${value}"`)
    .join(',');
  const lines = [`[program:${worker.name}]`, `command=${commandLine(worker)}`, `environment=${environment}`, 'autorestart=true'];
  lines.push(`stdout_logfile=${join(logs, `${worker.name}-out.log`)}`, `stderr_logfile=${join(logs, `${worker.name}-err.log`)}`);
  // The log scenario counts every line in one file: no rotation.
  if (kind === 'log') lines.push('stdout_logfile_maxbytes=0');
  return lines.join('\n');
}

class SupervisordSession implements ToolSession {
  private readonly conf: string;
  private readonly logs: string;

  constructor(private readonly fleet: Fleet, private readonly dir: string) {
    this.conf = join(dir, 'supervisord.conf');
    this.logs = join(dir, 'logs');
    mkdirSync(this.logs, { recursive: true });
  }

  private writeConfig(fleet: Fleet, broken = false): void {
    const head = [
      `[unix_http_server]\nfile=${join(this.dir, 'supervisor.sock')}\nchmod=0700`,
      // minfds raised so that 200 programs (4 fds each) can start at all.
      `[supervisord]\nlogfile=${join(this.dir, 'supervisord.log')}\npidfile=${join(this.dir, 'supervisord.pid')}\nchildlogdir=${this.logs}\nminfds=4096`,
      '[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
      `[supervisorctl]\nserverurl=unix://${join(this.dir, 'supervisor.sock')}`,
    ];
    const programs = fleet.workers.map((worker) => programSection(worker, this.logs, fleet.kind));
    if (broken) programs.push('[program:broken]\ncommand=sleep 1000\nautorestart=sometimes');
    writeFileSync(this.conf, [...head, ...programs].join('\n\n') + '\n');
  }

  private ctl(args: string[], allowFailure = false) {
    return runCommand('supervisorctl', ['-c', this.conf, ...args], { allowFailure });
  }

  async start(): Promise<void> {
    this.writeConfig(this.fleet);
    await runCommand('supervisord', ['-c', this.conf], { env: { ...process.env, [TAG_VAR]: this.fleet.tag } });
  }

  controls() {
    return [
      {
        tool: 'supervisord',
        restartAll: async () => void (await this.ctl(['restart', 'all'])),
        apply: async (fleet: Fleet) => {
          this.writeConfig(fleet);
          await this.ctl(['update']);
        },
      },
    ];
  }

  async applyInvalid() {
    this.writeConfig(this.fleet, true);
    const result = await this.ctl(['update'], true);
    this.writeConfig(this.fleet);
    return { said: (result.stdout + result.stderr).trim(), exitCode: result.code };
  }

  outputReaders() {
    return [workerLogFiles('supervisord', this.logs)];
  }

  async daemonPids(): Promise<number[]> {
    return readPidFile(join(this.dir, 'supervisord.pid'));
  }

  async stop(): Promise<void> {
    await this.ctl(['shutdown']);
  }

  async dispose(): Promise<void> {
    if ((await this.daemonPids()).some(isAlive)) await this.ctl(['shutdown'], true).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const supervisordDriver: ToolDriver = {
  name: 'supervisord',
  unavailable: async () => {
    if (await isInstalled()) return null;
    await installWithApt();
    return (await isInstalled()) ? null : 'supervisord is not installed and `apt-get install -y supervisor` failed (not root, or no network)';
  },
  version: async () => (await runCommand('supervisord', ['--version'])).stdout.trim(),
  open: (fleet, dir) => new SupervisordSession(fleet, dir),
};

async function isInstalled(): Promise<boolean> {
  const found = await runCommand('sh', ['-c', 'command -v supervisord && command -v supervisorctl'], { allowFailure: true });
  return found.code === 0;
}

/** Debian's package; installing it may start the system service, which the bench never uses. */
async function installWithApt(): Promise<void> {
  process.stderr.write('bench: supervisord missing, trying apt-get install -y supervisor\n');
  const script = 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq supervisor';
  await runCommand('sh', ['-c', script], { allowFailure: true, timeoutMs: 300_000 });
}
