/**
 * The control socket: a Unix socket, private to the user (0600 inside the
 * 0700 runtime directory), never TCP. Each accepted socket becomes a
 * connection (connection.ts). The caller must hold the workspace lock, so a
 * socket file already at the path is a dead master's and is replaced.
 *
 * Language features plug in here: add a LanguageFeatureHook to
 * LANGUAGE_FEATURES (e.g. `registerLanguageFeatures` from ./features).
 */
import { chmodSync, mkdirSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { createServer, type Server, type Socket } from 'node:net';
import type { Master } from '../core/master';
import { serveConnection, type LanguageFeatureHook, type ServedConnection } from './connection';
import { SocketFileWatch } from './socketFileWatch';
import { registerLanguageFeatures } from './features';

const LANGUAGE_FEATURES: readonly LanguageFeatureHook[] = [registerLanguageFeatures];
const DRAIN_TIMEOUT_MS = 500;
/**
 * How long a client that sent `steward/down` gets to hang up after its reply
 * is flushed. Closing first would race the reply: vscode-jsonrpc queues a
 * received message for the next event-loop turn but drops pending requests
 * as soon as the socket ends, so a reply and an end read together lose the reply.
 */
const HANG_UP_TIMEOUT_MS = 2_000;
const REBIND_RETRY_MS = 1_000;

export interface ControlServerOptions {
  socketPath: string;
  master: Master;
  /** A client's `steward/down` has stopped the workers. */
  onDown(): void;
  /** A client's `steward/keepAlive`: stay up without clients; whether there was an idle timeout. */
  keepAlive(): boolean;
  /** The socket was bound again after its file (or the whole runtime directory) went missing: restore what else lived there. */
  onRebound?(): void;
  languageFeatures?: readonly LanguageFeatureHook[];
}

export class ControlServer {
  private readonly sockets = new Map<Socket, ServedConnection>();
  /** Connections that asked for `steward/down`: they close their end once they have the reply. */
  private readonly downRequesters = new Set<Socket>();

  private readonly clientListeners = new Set<(count: number) => void>();

  private readonly socketWatch: SocketFileWatch;
  private rebindRetry: NodeJS.Timeout | undefined;
  private closing = false;

  private constructor(
    private readonly server: Server,
    private readonly socketPath: string,
    private readonly onRebound: () => void = () => undefined,
  ) {
    this.socketWatch = new SocketFileWatch(socketPath, () => this.rebind());
  }

  static async listen(options: ControlServerOptions): Promise<ControlServer> {
    const server = createServer();
    const control = new ControlServer(server, options.socketPath, options.onRebound);
    server.on('connection', (socket) => control.accept(socket, options));
    await control.bind();
    return control;
  }

  /** (Re)creates the socket file, 0600 from the start (umask), and watches it (socketFileWatch.ts). */
  private async bind(): Promise<void> {
    removeStaleSocket(this.socketPath);
    mkdirSync(dirname(this.socketPath), { recursive: true, mode: 0o700 });
    const previousUmask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(this.socketPath, () => {
          this.server.off('error', reject);
          resolve();
        });
      });
    } finally {
      process.umask(previousUmask);
    }
    chmodSync(this.socketPath, 0o600);
    this.socketWatch.remember();
  }

  /**
   * A socket file deleted or replaced while the master runs (a cleanup of
   * /tmp, a stray `rm`) would leave every new client unable to find it
   * while the lock still says it runs: it is recreated (retried until it
   * can be). Connected clients are not affected.
   */
  private rebind(): void {
    if (this.closing) return;
    this.server.close();
    this.bind().then(this.onRebound, () => {
      this.rebindRetry = setTimeout(() => this.rebind(), REBIND_RETRY_MS);
      this.rebindRetry.unref();
    });
  }

  get clientCount(): number {
    return this.sockets.size;
  }

  /** Called with the new number of clients whenever one connects or leaves. */
  onClientsChanged(listener: (count: number) => void): () => void {
    this.clientListeners.add(listener);
    return () => this.clientListeners.delete(listener);
  }

  /**
   * Ends every connection once its queued responses are written (a
   * `steward/down` requester is left to hang up itself, within
   * HANG_UP_TIMEOUT_MS) and removes the socket file.
   */
  async close(): Promise<void> {
    this.closing = true;
    this.socketWatch.stop();
    clearTimeout(this.rebindRetry);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await withinMs(Promise.all([...this.sockets.values()].map((served) => served.drained())), DRAIN_TIMEOUT_MS);
    for (const socket of this.sockets.keys()) if (!this.downRequesters.has(socket)) socket.end();
    const hungUp = [...this.downRequesters].map((socket) => new Promise((resolve) => (socket.closed ? resolve(undefined) : socket.once('close', resolve))));
    await withinMs(Promise.all(hungUp), HANG_UP_TIMEOUT_MS);
    for (const socket of this.sockets.keys()) socket.end();
    const forced = setTimeout(() => [...this.sockets.keys()].forEach((socket) => socket.destroy()), DRAIN_TIMEOUT_MS);
    await closed;
    clearTimeout(forced);
    removeStaleSocket(this.socketPath);
  }

  private accept(socket: Socket, options: ControlServerOptions): void {
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.downRequesters.delete(socket);
      this.notifyClients();
    });
    const served = serveConnection(socket, {
      master: options.master,
      onDown: () => {
        this.downRequesters.add(socket);
        options.onDown();
      },
      keepAlive: options.keepAlive,
      languageFeatures: [...LANGUAGE_FEATURES, ...(options.languageFeatures ?? [])],
    });
    this.sockets.set(socket, served);
    this.notifyClients();
  }

  private notifyClients(): void {
    for (const listener of this.clientListeners) listener(this.sockets.size);
  }
}

/** Waits for `promise`, at most `ms` (the timer does not outlive the wait). */
async function withinMs(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function removeStaleSocket(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
