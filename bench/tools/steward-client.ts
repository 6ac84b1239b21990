/**
 * A JSON-RPC connection to a running Steward master over its unix socket,
 * as the extension holds one: the bench times requests and notifications on
 * it without any CLI start-up in between.
 */
import { readdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createMessageConnection, type MessageConnection, SocketMessageReader, SocketMessageWriter } from 'vscode-jsonrpc/node';

/** The master's control socket: the one unix socket under the session's STEWARD_RUNTIME_DIR. */
export function findSocket(runtimeDir: string): string {
  const sockets: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      // The master writes files beside its socket by temp file + rename: one listed may be gone already.
      const stat = statSync(path, { throwIfNoEntry: false });
      if (stat?.isDirectory()) walk(path);
      else if (stat?.isSocket()) sockets.push(path);
    }
  };
  walk(runtimeDir);
  if (sockets.length !== 1) throw new Error(`expected one socket under ${runtimeDir}, found ${sockets.length}`);
  return sockets[0];
}

export async function connectMaster(runtimeDir: string): Promise<MessageConnection> {
  const socket = connect(findSocket(runtimeDir));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const connection = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
  connection.onClose(() => socket.destroy());
  connection.listen();
  return connection;
}

/** Resolves with the first notification of `method` whose params satisfy `accept`. */
export function nextNotification<P>(connection: MessageConnection, method: string, accept: (params: P) => boolean): Promise<P> {
  return new Promise((resolve) => {
    const subscription = connection.onNotification(method, (params: P) => {
      if (!accept(params)) return;
      subscription.dispose();
      resolve(params);
    });
  });
}
