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
import type * as net from 'node:net';
import * as vscode from 'vscode';
import type * as lc from 'vscode-languageclient/node';
import type { ErrorHandler, LanguageClient, LanguageClientOptions, StreamInfo } from 'vscode-languageclient/node';
import type { RequestParam, RequestType } from 'vscode-jsonrpc';
import { DownRequest, LogNotification, StatusChangedNotification, SubscribeRequest, type LogPush, type StatusSnapshot, type StewardInitializationOptions } from '../shared/protocol';
import { workspacePaths } from '../supervisor/runtime/paths';
import { connectSocket } from '../supervisor/runtime/socket';
import { waitForExit } from '../supervisor/runtime/exit';
import { spawnDetachedMaster } from '../supervisor/runtime/spawnMaster';
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
/** How long `down` waits for the master's exit sequence (its workers are already stopped by then). */
const MASTER_EXIT_TIMEOUT_MS = 10_000;
/** Restarts allowed within RESTART_WINDOW_MS before giving up (a master that keeps dying). */
const MAX_RESTARTS = 4;
/** How long a lost connection waits for its master to be gone before connecting again (a live master is reconnected after it). */
const LOST_MASTER_EXIT_MS = 3_000;
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
  /** The master's state in its latest status: `stopping` when it was told to stop, by this window or from elsewhere. */
  private masterState: StatusSnapshot['state'] | undefined;
  private masterPid: number | undefined;
  /** The pid of a master whose connection was lost, until the next status says who answers now. */
  private lostMasterPid: number | undefined;
  private readonly statusEmitter = new vscode.EventEmitter<StatusSnapshot>();
  private readonly connectionEmitter = new vscode.EventEmitter<ConnectionState>();
  private readonly logEmitter = new vscode.EventEmitter<LogPush>();
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
    this.restartTimes = [];
    this.lostMasterPid = undefined;
    await this.open();
  }

  /** A fresh LanguageClient for one connection session. */
  private async open(): Promise<void> {
    await this.detach();
    this.leaving = false;
    this.masterState = undefined;
    const launch = this.launch();
    const { LanguageClient, State } = languageClientLibrary();
    let self: LanguageClient | undefined;
    const client = new LanguageClient('steward', 'Steward', () => this.connect(launch), this.clientOptions(launch, () => self));
    self = client;
    this.client = client;
    client.onNotification(StatusChangedNotification.type, (snapshot) => this.noteStatus(snapshot));
    client.onNotification(LogNotification.type, (push) => this.logEmitter.fire(push));
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

  /**
   * `steward/down` on the master with this pid: hangs up once the answer is in (the master waits
   * for that before closing, so the answer is never lost), then waits for the master to exit,
   * so a start right after it starts a new master instead of finding the dying one.
   */
  async down(pid: number | undefined): Promise<{ stopped: number }> {
    this.leaving = true;
    const result = await this.request(DownRequest.type, {});
    await this.detach();
    if (pid !== undefined && !(await waitForExit(pid, MASTER_EXIT_TIMEOUT_MS))) this.output.warn(`the master (pid ${pid}) is still exiting`);
    return result;
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

  private noteStatus(snapshot: StatusSnapshot): void {
    this.masterState = snapshot.state;
    this.masterPid = snapshot.pid;
    this.statusEmitter.fire(snapshot);
    const lost = this.lostMasterPid;
    this.lostMasterPid = undefined;
    if (lost === undefined || lost === snapshot.pid) return;
    this.output.warn(`the master (pid ${lost}) exited unexpectedly; now connected to a new master (pid ${snapshot.pid})`);
    void vscode.window.showWarningMessage(`Steward: the master (pid ${lost}) exited unexpectedly. A new master (pid ${snapshot.pid}) was started and runs the workers.`);
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
      this.noteStatus(snapshot);
      this.setConnection('connected');
    } catch (error) {
      this.output.error(`steward/subscribe failed: ${describe(error)}`);
    }
  }

  private clientOptions(launch: MasterLaunch, self: () => LanguageClient | undefined): LanguageClientOptions {
    return {
      documentSelector: [{ scheme: 'file', pattern: escapeGlob(launch.configPath) }],
      outputChannel: this.output,
      errorHandler: this.errorHandler(self),
      // Logged, not shown: the language client's own toasts carry protocol codes; recover() says it in words.
      initializationFailedHandler: (error) => {
        this.output.error(`the master did not complete the LSP handshake: ${describe(error)}`);
        return false;
      },
      // The master refuses control from an untrusted window, whoever started it; a window granted trust reconnects.
      initializationOptions: { untrusted: launch.untrusted } satisfies StewardInitializationOptions,
    };
  }

  /** Reconnects (or respawns) after a lost connection, unless we left on purpose or the master keeps dying. */
  private errorHandler(self: () => LanguageClient | undefined): ErrorHandler {
    const { CloseAction, ErrorAction } = languageClientLibrary();
    return {
      error: () => ({ action: ErrorAction.Continue, handled: true }),
      closed: () => {
        // A session already replaced (a second close event of the lost one) must not restart anything.
        if (this.leaving || self() !== this.client) return { action: CloseAction.DoNotRestart, handled: true };
        if (this.masterState === 'stopping') {
          // Stopped on purpose (`steward down`, Stop All in another window): starting it again would undo that.
          this.leaving = true;
          this.output.info('the master was stopped outside this window (steward down, or Stop All in another window); not starting it again');
          void vscode.window.showInformationMessage('Steward: the master was stopped outside this window, with its workers.', 'Start').then((choice) => choice && vscode.commands.executeCommand('steward.start'));
          return { action: CloseAction.DoNotRestart, handled: true };
        }
        const now = Date.now();
        this.restartTimes = [...this.restartTimes.filter((time) => now - time < RESTART_WINDOW_MS), now];
        if (this.restartTimes.length > MAX_RESTARTS) {
          return { action: CloseAction.DoNotRestart, message: 'Steward: the master keeps closing the connection; see the Steward output.' };
        }
        this.recover();
        return { action: CloseAction.DoNotRestart, handled: true };
      },
    };
  }

  /**
   * After a lost connection: a fresh LanguageClient rather than the library's restart of the
   * half-closed one (QA: three raw protocol-error toasts after a kill -9 of the master), and one
   * message in words once the new master's status is in (noteStatus).
   */
  private recover(): void {
    const lost = this.masterPid;
    this.output.warn(`lost the connection to the master (pid ${lost ?? '?'}); reconnecting, or starting a new one`);
    this.lostMasterPid = lost;
    this.client = undefined;
    this.socket = undefined;
    this.setConnection('connecting');
    // A killed master's listening socket may outlive our connection by a moment: a connect then is reset mid-handshake.
    const gone = lost === undefined ? Promise.resolve(true) : waitForExit(lost, LOST_MASTER_EXIT_MS);
    gone.then(() => this.open()).catch((error: unknown) => {
      this.output.error(`could not reconnect to or start the master: ${describe(error)}`);
      const choice = vscode.window.showErrorMessage(`Steward: the master exited unexpectedly and no new one could be started: ${describe(error).split('\n')[0]}`, 'Show Output');
      void choice.then((picked) => picked && this.output.show());
    });
  }

  private async connect(launch: MasterLaunch): Promise<StreamInfo> {
    const socketPath = workspacePaths(launch.configPath).socket;
    const socket = (await connectSocket(socketPath)) ?? (await this.startMaster(launch, socketPath));
    this.socket = socket;
    this.output.info(`connected to the master at ${socketPath}`);
    return { reader: socket, writer: socket };
  }

  /** Starts the master in its own session (runtime/spawnMaster) and connects once it listens. */
  private async startMaster(launch: MasterLaunch, socketPath: string): Promise<net.Socket> {
    const [script, ...args] = masterArgs(launch);
    const started = await spawnDetachedMaster({
      script,
      args,
      configFile: launch.configPath,
      // The extension host may be Electron: run its binary as plain Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      timeoutMs: CONNECT_TIMEOUT_MS,
      answered: () => connectSocket(socketPath),
    });
    if (!started.ok) throw new Error(`the master did not start (status ${started.code}): ${lastWords(started.output, started.log)}`);
    this.output.info(`started the master (pid ${started.pid}): ${masterArgs(launch).join(' ')}; its log: ${started.log}`);
    return started.value;
  }
}

/** The command line of an editor-started master: stops when idle unless the user keeps workers running. */
export function masterArgs(launch: MasterLaunch): string[] {
  const lifetime = launch.stopWorkersOnExit ? ['--idle-timeout', IDLE_TIMEOUT] : ['--keep-alive'];
  return [launch.masterPath, 'up', '--editor', '--config', launch.configPath, ...lifetime, ...(launch.untrusted ? ['--untrusted'] : [])];
}

/** The master's last words: its last line first (for a one-line message), then the last lines it wrote. */
function lastWords(output: string, logFile: string): string {
  const lines = output.split('\n').filter((line) => line.trim() !== '').slice(-10);
  return lines.length > 0 ? `${lines.at(-1)}\n--- end of ${logFile} ---\n${lines.join('\n')}` : `it wrote nothing to ${logFile}`;
}

/** Document selectors take globs: match the config's absolute path literally. */
function escapeGlob(file: string): string {
  return file.replace(/[[\]{}*?]/g, '[$&]');
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
