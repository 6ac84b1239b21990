/**
 * One client on the control socket = one connection that is both a language
 * server for steward.yaml and the steward/* control endpoint.
 *
 * Built on vscode-languageserver's transport-neutral `createConnection` with
 * our own WatchDog: the node variant calls process.exit when its input ends,
 * on an LSP `exit` notification, or when the client's processId dies — fine
 * for a one-client stdio server, fatal for a master shared by editor windows
 * and CLIs. Here those events end only this connection.
 *
 * Clients that send steward/* requests without an LSP `initialize` (the CLI)
 * are served: vscode-languageserver does not gate requests on initialize.
 */
import type { Socket } from 'node:net';
import type { Logger, Message } from 'vscode-jsonrpc/node';
import {
  createConnection,
  createProtocolConnection,
  TextDocuments,
  TextDocumentSyncKind,
  type ClientCapabilities,
  type Connection,
  type ServerCapabilities,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { StewardInitializationOptions } from '../../shared/protocol';
import type { Master } from '../core/master';
import { DiagnosticsPublisher } from './diagnostics';
import { GuardedMessageReader } from './framing';
import { FrameWriter } from './frameWriter';
import { registerStewardHandlers, type StewardSession } from './stewardHandlers';

export interface LanguageFeatureContext {
  master: Master;
  /** Absolute path of the master's steward.yaml. */
  configFile: string;
  /** Registers a cleanup for when this connection ends (e.g. unsubscribing from the master). */
  onClose(cleanup: () => void): void;
  /** The client's capabilities from its `initialize` request; undefined before it (or for a CLI that never sends one). */
  clientCapabilities(): ClientCapabilities | undefined;
  /** True once the client said its workspace is untrusted (StewardInitializationOptions): offer it no control. */
  clientUntrusted(): boolean;
  /**
   * Runs `listener` on the client's `initialized` notification. Use this, not
   * connection.onInitialized: vscode-jsonrpc keeps one handler per method.
   */
  onInitialized(listener: () => void): void;
}

/**
 * The extension point for editor features (completion, hover, definition…):
 * called once per connection before it listens; returns the capabilities it
 * adds to the initialize result.
 */
export type LanguageFeatureHook = (
  connection: Connection,
  documents: TextDocuments<TextDocument>,
  context: LanguageFeatureContext,
) => ServerCapabilities | void;

export interface ConnectionOptions extends StewardSession {
  master: Master;
  languageFeatures: readonly LanguageFeatureHook[];
}

/** Transport problems of one client are that client's business; the master stays quiet and up. */
const transportLogger: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  log: () => undefined,
};

export interface ServedConnection {
  /** Resolves once every message queued so far (e.g. the answer to `steward/down`) is written. */
  drained(): Promise<void>;
}

export function serveConnection(socket: Socket, options: ConnectionOptions): ServedConnection {
  const { connection, writer } = openConnection(socket);
  const documents = new TextDocuments(TextDocument);
  const client: ClientInfo = { untrusted: false };
  // Live array: features may register cleanups (context.onClose) at any time.
  const cleanups = installLanguageServer(connection, documents, options, client);
  cleanups.push(registerStewardHandlers(connection, options.master, { ...options, clientUntrusted: () => client.untrusted }, (frame) => writer.writeFrame(frame)));
  documents.listen(connection);
  connection.listen();
  socket.once('close', () => {
    for (const cleanup of cleanups) cleanup();
    connection.dispose();
    writer.dispose();
  });
  socket.on('error', () => socket.destroy());
  return { drained: () => writer.drained() };
}

/** The guarded transport and an LSP connection over it whose lifecycle events end only this connection. */
function openConnection(socket: Socket): { connection: Connection; writer: FrameWriter } {
  const writer = new FrameWriter(socket);
  const reader = new GuardedMessageReader(socket, (code, message, fatal) => {
    const reply: Message & { id: null; error: { code: number; message: string } } = { jsonrpc: '2.0', id: null, error: { code, message } };
    void writer.write(reply).catch(() => undefined).finally(() => fatal && socket.end());
  });
  const watchDog = {
    shutdownReceived: false,
    initialize: () => undefined,
    exit: () => socket.end(),
  };
  // Not the remote console: the transport logs failures (e.g. answering a client that already left)
  // and logging those back over the same dead connection would throw.
  const connection = createConnection(() => createProtocolConnection(reader, writer, transportLogger), watchDog);
  return { connection, writer };
}

/** What the client said about itself in `initialize`. */
interface ClientInfo {
  capabilities?: ClientCapabilities;
  untrusted: boolean;
}

/** initialize / initialized, the language feature hooks and diagnostics; returns the cleanups. */
function installLanguageServer(
  connection: Connection,
  documents: TextDocuments<TextDocument>,
  { master, languageFeatures }: ConnectionOptions,
  client: ClientInfo,
): (() => void)[] {
  const capabilities: ServerCapabilities = { textDocumentSync: TextDocumentSyncKind.Incremental };
  const cleanups: (() => void)[] = [];
  const initializedListeners: (() => void)[] = [];
  const context: LanguageFeatureContext = {
    master,
    configFile: master.configFile,
    onClose: (cleanup) => cleanups.push(cleanup),
    clientCapabilities: () => client.capabilities,
    clientUntrusted: () => client.untrusted,
    onInitialized: (listener) => initializedListeners.push(listener),
  };
  for (const hook of languageFeatures) Object.assign(capabilities, hook(connection, documents, context) ?? {});
  connection.onInitialize((params) => {
    client.capabilities = params.capabilities;
    client.untrusted = (params.initializationOptions as StewardInitializationOptions | null | undefined)?.untrusted === true;
    return { capabilities, serverInfo: { name: 'steward' } };
  });
  connection.onInitialized(() => initializedListeners.forEach((listener) => listener()));
  cleanups.push(new DiagnosticsPublisher(connection, documents, master).attach(context.onInitialized, context.clientCapabilities));
  return cleanups;
}
