/**
 * Owns the LanguageClient that talks to this workspace's master over its Unix
 * socket. The master is the language server for steward.yaml and answers the
 * `steward/*` requests of shared/protocol.ts.
 *
 * ServerOptions connect to a running master, or spawn the bundled one DETACHED
 * (own process group, output to the runtime log, unref'd) and then connect, so
 * closing or reloading the window never takes workers down: the master stops
 * itself after its idle grace period (or never, with --keep-alive).
 *
 * One LanguageClient per connection session: `start()` makes a new one,
 * `detach()` drops it without the LSP `exit` (which would end a
 * vscode-languageserver process), `stop()` is for "Stop All".
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type * as lc from 'vscode-languageclient/node';
import type { ErrorHandler, LanguageClient, LanguageClientOptions, StreamInfo } from 'vscode-languageclient/node';
import type { RequestParam, RequestType } from 'vscode-jsonrpc';
import { LogNotification, StatusChangedNotification, SubscribeRequest, type LogLine, type StatusSnapshot } from '../shared/protocol';
import { ensurePrivateDir, workspacePaths } from '../supervisor/runtime/paths';
import type { ConnectionState } from './render';

export interface MasterLaunch {
  configPath: string;
  masterPath: string;
  stopWorkersOnExit: boolean;
  /** Untrusted workspace: the master serves diagnostics and status but runs no worker command. */
  untrusted: boolean;
}

/** Idle grace before an editor-started master stops: comfortably longer than a window reload. */
const IDLE_TIMEOUT = '30s';
const CONNECT_TIMEOUT_MS = 15_000;
/** Restarts allowed within RESTART_WINDOW_MS before giving up (a master that keeps dying). */
const MAX_RESTARTS = 4;
const RESTART_WINDOW_MS = 3 * 60_000;

/**
 * Loaded on the first connection, not at activation: the language client is
 * most of the bundle, and esbuild keeps a CommonJS module's evaluation lazy
 * until its first require().
 */
function languageClientLibrary(): typeof lc {
  return require('vscode-languageclient/node') as typeof lc;
}

export class MasterClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private socket: net.Socket | undefined;
  private leaving = false;
  private restartTimes: number[] = [];
  private readonly statusEmitter = new vscode.EventEmitter<StatusSnapshot>();
  private readonly connectionEmitter = new vscode.EventEmitter<ConnectionState>();
  private readonly logEmitter = new vscode.EventEmitter<LogLine[]>();
  readonly onStatus = this.statusEmitter.event;
  readonly onConnection = this.connectionEmitter.event;
  readonly onLog = this.logEmitter.event;
  connection: ConnectionState = 'stopped';

  constructor(
    private readonly launch: () => MasterLaunch,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  get connected(): boolean {
    return this.connection === 'connected' && this.client !== undefined;
  }

  /** Connects to (or starts) the master; resolves once the first status has arrived. */
  async start(): Promise<void> {
    await this.detach();
    this.leaving = false;
    this.restartTimes = [];
    const launch = this.launch();
    const { LanguageClient, State } = languageClientLibrary();
    const client = new LanguageClient('steward', 'Steward', () => this.connect(launch), this.clientOptions(launch));
    this.client = client;
    client.onNotification(StatusChangedNotification.type, (snapshot) => this.statusEmitter.fire(snapshot));
    client.onNotification(LogNotification.type, (result) => this.logEmitter.fire(result.lines));
    client.onDidChangeState(({ newState }) => {
      if (newState === State.Running) void this.subscribe(client);
      else if (newState === State.Stopped && this.client === client) this.setConnection(this.leaving ? 'stopped' : 'failed');
    });
    this.setConnection('connecting');
    try {
      await client.start();
    } catch (error) {
      this.setConnection('failed');
      throw error;
    }
  }

  /** Sends a steward/* request on the live connection. */
  request<P, R>(type: RequestType<P, R, void>, params: RequestParam<P>): Promise<R> {
    if (!this.client || !this.connected) return Promise.reject(new Error('Steward: not connected to the master'));
    return this.client.sendRequest(type, params);
  }

  /** Marks the coming disconnect as wanted (the master is going down on request). */
  expectDisconnect(): void {
    this.leaving = true;
  }

  /** Drops this window's connection; the master and its workers keep running. */
  async detach(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.leaving = true;
    this.socket?.destroy();
    this.client = undefined;
    this.setConnection('stopped');
    // The socket is gone, so stop() only cleans up the client side.
    await client.stop(500).catch(() => undefined);
  }

  dispose(): void {
    void this.detach();
    this.statusEmitter.dispose();
    this.connectionEmitter.dispose();
    this.logEmitter.dispose();
  }

  private setConnection(state: ConnectionState): void {
    if (this.connection === state) return;
    this.connection = state;
    this.connectionEmitter.fire(state);
  }

  private async subscribe(client: LanguageClient): Promise<void> {
    try {
      const snapshot = await client.sendRequest(SubscribeRequest.type, {});
      if (this.client !== client) return;
      // Status first: listeners rendering on 'connected' must not see the previous session's status.
      this.statusEmitter.fire(snapshot);
      this.setConnection('connected');
    } catch (error) {
      this.output.error(`steward/subscribe failed: ${describe(error)}`);
    }
  }

  private clientOptions(launch: MasterLaunch): LanguageClientOptions {
    return {
      documentSelector: [{ scheme: 'file', pattern: escapeGlob(launch.configPath) }],
      outputChannel: this.output,
      errorHandler: this.errorHandler(),
    };
  }

  /** Reconnects (or respawns) after a lost connection, unless we left on purpose or the master keeps dying. */
  private errorHandler(): ErrorHandler {
    const { CloseAction, ErrorAction } = languageClientLibrary();
    return {
      error: () => ({ action: ErrorAction.Continue, handled: true }),
      closed: () => {
        if (this.leaving) return { action: CloseAction.DoNotRestart, handled: true };
        const now = Date.now();
        this.restartTimes = [...this.restartTimes.filter((time) => now - time < RESTART_WINDOW_MS), now];
        if (this.restartTimes.length > MAX_RESTARTS) {
          return { action: CloseAction.DoNotRestart, message: 'Steward: the master keeps closing the connection; see the Steward output.' };
        }
        this.output.warn('lost the connection to the master; reconnecting');
        this.setConnection('connecting');
        return { action: CloseAction.Restart, handled: true };
      },
    };
  }

  private async connect(launch: MasterLaunch): Promise<StreamInfo> {
    const paths = workspacePaths(launch.configPath);
    let socket = await tryConnect(paths.socket);
    if (!socket) {
      const exited = spawnMaster(launch, paths.dir, paths.log, this.output);
      socket = await waitForSocket(paths.socket, exited, paths.log);
    }
    this.socket = socket;
    this.output.info(`connected to the master at ${paths.socket}`);
    return { reader: socket, writer: socket };
  }
}

/** The command line of an editor-started master: stops when idle unless the user keeps workers running. */
export function masterArgs(launch: MasterLaunch): string[] {
  const lifetime = launch.stopWorkersOnExit ? ['--idle-timeout', IDLE_TIMEOUT] : ['--keep-alive'];
  return [launch.masterPath, 'up', '--editor', '--config', launch.configPath, ...lifetime, ...(launch.untrusted ? ['--untrusted'] : [])];
}

/** Starts the master in its own process group; resolves the returned promise if it exits (it should not). */
function spawnMaster(launch: MasterLaunch, runtimeDir: string, logFile: string, output: vscode.LogOutputChannel): Promise<number | null> {
  ensurePrivateDir(runtimeDir);
  const log = openSync(logFile, 'a', 0o600);
  try {
    const child = spawn(process.execPath, masterArgs(launch), {
      cwd: path.dirname(launch.configPath),
      detached: true,
      stdio: ['ignore', log, log],
      // The extension host may be Electron: run its binary as plain Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    child.unref();
    output.info(`started the master (pid ${child.pid}): ${masterArgs(launch).join(' ')}; its log: ${logFile}`);
    return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  } finally {
    closeSync(log);
  }
}

function tryConnect(socketPath: string): Promise<net.Socket | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', () => resolve(undefined));
  });
}

async function waitForSocket(socketPath: string, exited: Promise<number | null>, logFile: string): Promise<net.Socket> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + CONNECT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const socket = await tryConnect(socketPath);
    if (socket) return socket;
    if (exitCode !== undefined) throw new Error(`the master exited (code ${exitCode}) before listening: ${logTail(logFile)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the master did not listen on ${socketPath} within ${CONNECT_TIMEOUT_MS / 1000}s: ${logTail(logFile)}`);
}

/** The master's last words: its last log line first (for a one-line message), then the tail of its log. */
function logTail(logFile: string): string {
  try {
    const lines = readFileSync(logFile, 'utf8').split('\n').filter((line) => line.trim() !== '').slice(-10);
    return lines.length > 0 ? `${lines.at(-1)}\n--- end of ${logFile} ---\n${lines.join('\n')}` : `its log ${logFile} is empty`;
  } catch {
    return `no log at ${logFile}`;
  }
}

/** Document selectors take globs: match the config's absolute path literally. */
function escapeGlob(file: string): string {
  return file.replace(/[[\]{}*?]/g, '[$&]');
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
