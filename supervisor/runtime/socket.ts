/** Connecting to a master's control socket (CLI and extension alike; Node built-ins only). */
import { connect, type Socket } from 'node:net';

/** A connected socket, or undefined when nothing listens at the path. */
export function connectSocket(path: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', () => resolve(undefined));
  });
}
