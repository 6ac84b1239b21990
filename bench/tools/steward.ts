/**
 * Steward, from dist/supervisor.js, with its runtime directory (socket,
 * state) isolated per session through STEWARD_RUNTIME_DIR. Two controls:
 * `steward` = a client already connected to the master's socket (what the
 * extension does), `steward-cli` = the `steward` command line.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import { stringify } from 'yaml';
import { LogNotification, LogsRequest, ReloadRequest, StatusRequest, UnfollowLogsRequest, type LogsResult } from '../../shared/protocol';
import { runCommand } from '../lib/exec';
import { commandLine, type Fleet, NODE, type WorkerDef } from '../lib/fleet';
import { isAlive, TAG_VAR } from '../lib/procfs';
import { connectMaster } from './steward-client';
import type { Control, ToolDriver, ToolSession } from './tool';

export const STEWARD_BIN = join(__dirname, '..', '..', 'dist', 'supervisor.js');

function workerEntry(worker: WorkerDef): Record<string, unknown> {
  const entry: Record<string, unknown> = { command: commandLine(worker), env: worker.env, restart: 'on-failure' };
  if (worker.port !== undefined) entry.ready = { http: `http://127.0.0.1:${worker.port}/`, timeout: '10s' };
  return entry;
}

/** steward.yaml for the fleet; `broken` adds a worker the validator must reject (no command, bad restart policy). */
export function stewardYaml(fleet: Fleet, broken = false): string {
  const workers: Record<string, unknown> = Object.fromEntries(fleet.workers.map((worker) => [worker.name, workerEntry(worker)]));
  if (broken) workers.broken = { restart: 'sometimes' };
  return stringify({ version: 1, workers });
}

export class StewardSession implements ToolSession {
  readonly config: string;
  readonly runtimeDir: string;
  private client: MessageConnection | null = null;
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
    await this.cli(['up', '-d']);
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
        apply: async (fleet) => {
          this.writeConfig(fleet);
          await this.reloadOverSocket(false);
        },
      },
      {
        tool: 'steward-cli',
        restartAll: async () => void (await this.cli(['reload', '--all'])),
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

  async followOutput(name: string, onLine: (text: string) => void) {
    const connection = await this.connection();
    const subscription = connection.onNotification(LogNotification.type, (params: LogsResult) => {
      for (const line of params.lines) if (line.worker === name && line.stream === 'stdout') onLine(line.text);
    });
    await connection.sendRequest(LogsRequest.type, { worker: name, lines: 0, follow: true });
    return async () => {
      await connection.sendRequest(UnfollowLogsRequest.type, {});
      subscription.dispose();
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
    if (this.masterPid !== null && isAlive(this.masterPid)) {
      await this.cli(['down'], true).catch(() => undefined);
      if (isAlive(this.masterPid)) process.kill(this.masterPid, 'SIGKILL');
    }
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
    return `${require('../../package.json').version} (${stdout.trim() || 'unknown commit'})`;
  },
  open: (fleet, dir) => new StewardSession(fleet, dir),
};
