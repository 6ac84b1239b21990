/**
 * Steward, from dist/supervisor.js, with its runtime directory (socket,
 * state) isolated per session through STEWARD_RUNTIME_DIR. Two controls:
 * `steward` = a client already connected to the master's socket (what the
 * extension does), `steward-cli` = the `steward` command line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import { stringify } from 'yaml';
import { LogNotification, LogsRequest, ReloadRequest, StatusRequest, UnfollowLogsRequest } from '../../shared/protocol';
import { MASTER_NODE_FLAGS } from '../../supervisor/runtime/spawnMaster';
import { runCommand } from '../lib/exec';
import { commandLine, type Fleet, NODE, type WorkerDef } from '../lib/fleet';
import { isAlive, TAG_VAR } from '../lib/procfs';
import { waitFor } from '../lib/timing';
import { connectMaster } from './steward-client';
import type { Control, OutputReader, ToolDriver, ToolSession } from './tool';

/** BENCH_STEWARD_BIN points the bench at another build of the CLI (default: this tree's dist/). */
export const STEWARD_BIN = process.env.BENCH_STEWARD_BIN ?? join(__dirname, '..', '..', 'dist', 'supervisor.js');
/** BENCH_STEWARD_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"): node flags for the master, to profile it. */
const PROFILE_NODE_ARGS = (process.env.BENCH_STEWARD_NODE_ARGS ?? '').split(' ').filter(Boolean);

function workerEntry(worker: WorkerDef): Record<string, unknown> {
  const entry: Record<string, unknown> = { command: commandLine(worker), env: worker.env, restart: 'on-failure' };
  if (worker.port !== undefined) entry.ready = { http: `http://127.0.0.1:${worker.port}/`, timeout: '10s' };
  return entry;
}

/** Rendered texts by fleet (fleets are never changed: withChangedWorker makes a new one). */
const rendered = new WeakMap<Fleet, string>();

/** steward.yaml for the fleet; `broken` adds a worker the validator must reject (no command, bad restart policy). */
export function stewardYaml(fleet: Fleet, broken = false): string {
  const known = broken ? undefined : rendered.get(fleet);
  if (known !== undefined) return known;
  const workers: Record<string, unknown> = Object.fromEntries(fleet.workers.map((worker) => [worker.name, workerEntry(worker)]));
  if (broken) workers.broken = { restart: 'sometimes' };
  const text = stringify({ version: 1, workers });
  if (!broken) rendered.set(fleet, text);
  return text;
}

export class StewardSession implements ToolSession {
  readonly config: string;
  readonly runtimeDir: string;
  private client: MessageConnection | null = null;
  /** `steward logs -f` processes started by followOutput; dispose ends any left. */
  private readonly followers: ChildProcess[] = [];
  private masterPid: number | null = null;

  constructor(readonly fleet: Fleet, private readonly dir: string) {
    this.config = join(dir, 'steward.yaml');
    this.runtimeDir = join(dir, 'run');
    mkdirSync(this.runtimeDir, { recursive: true, mode: 0o700 });
  }

  cli(args: string[], allowFailure = false) {
    const env = { ...process.env, STEWARD_RUNTIME_DIR: this.runtimeDir, [TAG_VAR]: this.fleet.tag };
    return runCommand(NODE, [STEWARD_BIN, ...args, '--config', this.config], { env, cwd: this.dir, allowFailure });
  }

  async connection(): Promise<MessageConnection> {
    this.client ??= await connectMaster(this.runtimeDir);
    return this.client;
  }

  writeConfig(fleet: Fleet, broken = false): void {
    writeFileSync(this.config, stewardYaml(fleet, broken));
  }

  async start(): Promise<void> {
    this.writeConfig(this.fleet);
    if (PROFILE_NODE_ARGS.length > 0) await this.startProfiled();
    else await this.cli(['up', '-d']);
  }

  /**
   * For profiling only: the master started the way `up -d` starts it (`up
   * --foreground`, its node flags, output to a file, own session) plus
   * node flags such as --cpu-prof, which `up -d` does not pass on.
   */
  private async startProfiled(): Promise<void> {
    const env = { ...process.env, STEWARD_RUNTIME_DIR: this.runtimeDir, [TAG_VAR]: this.fleet.tag };
    const output = openSync(join(this.dir, 'master.log'), 'a');
    const args = [...MASTER_NODE_FLAGS, ...PROFILE_NODE_ARGS, STEWARD_BIN, 'up', '--foreground', '--config', this.config];
    spawn(NODE, args, { env, cwd: this.dir, detached: true, stdio: ['ignore', output, output] }).unref();
    closeSync(output);
    await waitFor(() => existsSync(this.runtimeDir) && readdirSync(this.runtimeDir).some((f) => f.endsWith('.sock')), { timeoutMs: 20_000, what: 'the profiled master' });
  }

  async reloadOverSocket(all: boolean): Promise<void> {
    const result = await (await this.connection()).sendRequest(ReloadRequest.type, { all, trigger: 'rpc' });
    if (!result.ok) throw new Error(`steward reload failed: ${result.error?.message}`);
  }

  controls(): Control[] {
    return [
      {
        tool: 'steward',
        restartAll: () => this.reloadOverSocket(true),
        prepare: (fleet) => void stewardYaml(fleet),
        apply: async (fleet) => {
          this.writeConfig(fleet);
          await this.reloadOverSocket(false);
        },
      },
      {
        tool: 'steward-cli',
        restartAll: async () => void (await this.cli(['reload', '--all'])),
        prepare: (fleet) => void stewardYaml(fleet),
        apply: async (fleet) => {
          this.writeConfig(fleet);
          await this.cli(['reload']);
        },
      },
    ];
  }

  async applyInvalid() {
    this.writeConfig(this.fleet, true);
    const result = await this.cli(['reload'], true);
    // The file only: the master stays in wait mode until the next reload.
    this.writeConfig(this.fleet);
    return { said: (result.stdout + result.stderr).trim(), exitCode: result.code };
  }

  /**
   * Through `steward logs -f NAME` (the real command: a client of the master
   * that decodes `steward/log` pushes in its own process); its lines are
   * `NAME | text`.
   */
  outputReaders(): OutputReader[] {
    return [
      { tool: 'steward', follow: (name, onLine) => this.followOnSocket(name, onLine) },
      { tool: 'steward-cli', follow: (name, onLine) => this.followWithCli(name, onLine) },
    ];
  }

  /** `steward/logs` with follow on the bench's connection, then the `steward/log` pushes: the extension's way. */
  private async followOnSocket(name: string, onLine: (text: string) => void) {
    const connection = await this.connection();
    const pushes = connection.onNotification(LogNotification.type, ({ blocks }) => {
      for (const block of blocks) if (block.worker === name && block.stream === 'stdout') for (const line of block.text.split('\n')) onLine(line);
    });
    const { lines } = await connection.sendRequest(LogsRequest.type, { worker: name, follow: true });
    for (const line of lines) if (line.stream === 'stdout') onLine(line.text);
    return async () => {
      await connection.sendRequest(UnfollowLogsRequest.type, {});
      pushes.dispose();
    };
  }

  /** `steward logs -f`, its output parsed as a user would read it. */
  private async followWithCli(name: string, onLine: (text: string) => void) {
    const env = { ...process.env, STEWARD_RUNTIME_DIR: this.runtimeDir };
    const follower = spawn(NODE, [STEWARD_BIN, 'logs', '-f', name, '--config', this.config], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    this.followers.push(follower);
    const exited = once(follower, 'exit');
    let partial = '';
    follower.stdout.setEncoding('latin1').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line.slice(line.indexOf('| ') + 2));
    });
    return async () => {
      follower.kill('SIGTERM');
      const killer = setTimeout(() => follower.kill('SIGKILL'), 2_000);
      await exited;
      clearTimeout(killer);
    };
  }

  async daemonPids(): Promise<number[]> {
    this.masterPid ??= (await (await this.connection()).sendRequest(StatusRequest.type, {})).pid;
    return [this.masterPid];
  }

  async stop(): Promise<void> {
    this.closeClient();
    await this.cli(['down']);
  }

  private closeClient(): void {
    this.client?.dispose();
    this.client = null;
  }

  async dispose(): Promise<void> {
    this.closeClient();
    for (const follower of this.followers) if (follower.exitCode === null) follower.kill('SIGKILL');
    if (this.masterPid === null || isAlive(this.masterPid)) await this.cli(['down'], true).catch(() => undefined);
    if (this.masterPid !== null && isAlive(this.masterPid)) process.kill(this.masterPid, 'SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const stewardDriver: ToolDriver = {
  name: 'steward',
  unavailable: async () => {
    const help = await runCommand(NODE, [STEWARD_BIN, '--help'], { allowFailure: true });
    if (help.code !== 0) return `dist/supervisor.js missing or broken (npm run build): ${help.stderr.trim()}`;
    return /\bup\b/.test(help.stdout) && /\breload\b/.test(help.stdout) ? null : 'this build of steward has no up/reload commands yet';
  },
  version: async () => {
    const { stdout } = await runCommand('git', ['-C', join(__dirname, '..', '..'), 'rev-parse', '--short', 'HEAD'], { allowFailure: true });
    const build = process.env.BENCH_STEWARD_BIN ? `, build ${STEWARD_BIN}` : '';
    return `${require('../../package.json').version} (${stdout.trim() || 'unknown commit'}${build})`;
  },
  open: (fleet, dir) => new StewardSession(fleet, dir),
};
