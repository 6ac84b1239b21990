/**
 * The CLI side of the control socket: a plain JSON-RPC connection (no LSP
 * initialize is needed for steward/* requests) to this workspace's master.
 */
import { createMessageConnection, ResponseError, SocketMessageReader, SocketMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { ErrorCodes } from '../../shared/protocol';
import { ensurePrivateDir, workspacePaths, type WorkspacePaths } from '../runtime/paths';
import { connectSocket } from '../runtime/socket';

export interface MasterClient {
  connection: MessageConnection;
  paths: WorkspacePaths;
  /** Resolves when the master closes the connection (e.g. after `down`). */
  closed: Promise<void>;
  close(): void;
}

/** Exit code of every command when no master runs for the workspace. */
export const NO_MASTER = 2;

/** Throws RuntimeDirError when the runtime directory is not private: a socket there could be anyone's. */
export async function connectToMaster(configFile: string): Promise<MasterClient | undefined> {
  const paths = workspacePaths(configFile);
  ensurePrivateDir(paths.dir);
  const socket = await connectSocket(paths.socket);
  if (!socket) return undefined;
  const connection = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
  // vscode-jsonrpc keeps requests pending when the socket closes; disposing rejects them.
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve())).then(() => connection.dispose());
  socket.on('error', () => socket.destroy());
  connection.listen();
  return {
    connection,
    paths,
    closed,
    close: () => {
      connection.dispose();
      socket.end();
    },
  };
}

export function reportNoMaster(configFile: string): number {
  process.stderr.write(`steward: no master is running for ${configFile} (start one with \`steward up\`)\n`);
  return NO_MASTER;
}

/**
 * Connects, runs `body`, and disconnects. Exit 2 when no master runs, also
 * when it went away during the request (shutting down, or its connection
 * lost): the request was neither applied nor rejected.
 */
export async function withMaster(configFile: string, body: (client: MasterClient) => Promise<number>): Promise<number> {
  let client: MasterClient | undefined;
  try {
    client = await connectToMaster(configFile);
  } catch (error) {
    process.stderr.write(`steward: ${(error as Error).message}\n`);
    return 1;
  }
  if (!client) return reportNoMaster(configFile);
  try {
    return await body(client);
  } catch (error) {
    const gone = masterWentAway(error);
    process.stderr.write(`steward: ${gone ?? (error instanceof Error ? error.message : String(error))}\n`);
    return gone === undefined ? 1 : NO_MASTER;
  } finally {
    client.close();
  }
}

/** What to say when the master went away during the request; undefined for any other error. */
function masterWentAway(error: unknown): string | undefined {
  // The master's own answer, which may well quote a worker's "ended" or "closed": it is still there.
  if (error instanceof ResponseError) return error.code === ErrorCodes.ShuttingDown ? `${error.message}; nothing was done` : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return /connection got disposed|closed|ended/i.test(message) ? `lost the connection to the master (${message})` : undefined;
}
