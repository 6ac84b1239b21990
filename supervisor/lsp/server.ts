/**
 * The control socket: a Unix socket, private to the user (0600 inside the
 * 0700 runtime directory), never TCP. Each accepted socket becomes a
 * connection (connection.ts). The caller must hold the workspace lock, so a
 * socket file already at the path is a dead master's and is replaced.
 *
 * Language features plug in here: add a LanguageFeatureHook to
 * LANGUAGE_FEATURES (e.g. `registerLanguageFeatures` from ./features).
 */
import { chmodSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { Master } from '../core/master';
import { serveConnection, type LanguageFeatureHook, type ServedConnection } from './connection';
import { registerLanguageFeatures } from './features';

const LANGUAGE_FEATURES: readonly LanguageFeatureHook[] = [registerLanguageFeatures];
const DRAIN_TIMEOUT_MS = 500;

export interface ControlServerOptions {
  socketPath: string;
  master: Master;
  /** A client's `steward/down` has stopped the workers. */
  onDown(): void;
  languageFeatures?: readonly LanguageFeatureHook[];
}

export class ControlServer {
  private readonly sockets = new Map<Socket, ServedConnection>();

  private readonly clientListeners = new Set<(count: number) => void>();

  private constructor(
    private readonly server: Server,
    private readonly socketPath: string,
  ) {}

  static async listen(options: ControlServerOptions): Promise<ControlServer> {
    removeStaleSocket(options.socketPath);
    const server = createServer();
    const control = new ControlServer(server, options.socketPath);
    server.on('connection', (socket) => control.accept(socket, options));
    const previousUmask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.socketPath, () => resolve());
      });
    } finally {
      process.umask(previousUmask);
    }
    chmodSync(options.socketPath, 0o600);
    return control;
  }

  get clientCount(): number {
    return this.sockets.size;
  }

  /** Called with the new number of clients whenever one connects or leaves. */
  onClientsChanged(listener: (count: number) => void): () => void {
    this.clientListeners.add(listener);
    return () => this.clientListeners.delete(listener);
  }

  /** Ends every connection (queued responses are written first) and removes the socket file. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const drained = Promise.all([...this.sockets.values()].map((served) => served.drained()));
    let drainTimer: NodeJS.Timeout | undefined;
    await Promise.race([drained, new Promise((resolve) => (drainTimer = setTimeout(resolve, DRAIN_TIMEOUT_MS)))]);
    clearTimeout(drainTimer);
    for (const socket of this.sockets.keys()) socket.end();
    const forced = setTimeout(() => [...this.sockets.keys()].forEach((socket) => socket.destroy()), DRAIN_TIMEOUT_MS);
    await closed;
    clearTimeout(forced);
    removeStaleSocket(this.socketPath);
  }

  private accept(socket: Socket, options: ControlServerOptions): void {
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.notifyClients();
    });
    const served = serveConnection(socket, {
      master: options.master,
      onDown: options.onDown,
      languageFeatures: [...LANGUAGE_FEATURES, ...(options.languageFeatures ?? [])],
    });
    this.sockets.set(socket, served);
    this.notifyClients();
  }

  private notifyClients(): void {
    for (const listener of this.clientListeners) listener(this.sockets.size);
  }
}

function removeStaleSocket(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
