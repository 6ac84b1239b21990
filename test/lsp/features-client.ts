/**
 * A real LSP client for the feature tests: initialize (declaring code lens
 * refresh support), open/change documents, and typed requests over the
 * master's socket. Records diagnostics and refresh requests as they come.
 */
import { pathToFileURL } from 'node:url';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import {
  CodeActionRequest,
  CodeLensRefreshRequest,
  CodeLensRequest,
  CompletionRequest,
  DefinitionRequest,
  DocumentLinkRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  HoverRequest,
  PrepareRenameRequest,
  PublishDiagnosticsNotification,
  ReferencesRequest,
  RenameRequest,
  type CodeAction,
  type CodeLens,
  type CompletionItem,
  type CompletionList,
  type Diagnostic,
  type Position,
  type ServerCapabilities,
} from 'vscode-languageserver';
import type { StewardInitializationOptions } from '../../shared/protocol';
import { connectRpc, type Workspace } from '../helpers/master';
import { waitUntil } from '../helpers/procs';

export class FeatureClient {
  readonly diagnostics = new Map<string, Diagnostic[]>();
  lensRefreshes = 0;
  private version = 1;

  private constructor(
    readonly connection: MessageConnection,
    readonly uri: string,
    private readonly dispose: () => void,
  ) {
    connection.onNotification(PublishDiagnosticsNotification.type, ({ uri: target, diagnostics }) => void this.diagnostics.set(target, diagnostics));
    connection.onRequest(CodeLensRefreshRequest.type, () => {
      this.lensRefreshes += 1;
    });
  }

  /** Connects to the workspace's master and initializes (with initializationOptions, as the extension sends them); documents are the workspace's steward.yaml. */
  static async start(ws: Workspace, initializationOptions?: StewardInitializationOptions): Promise<{ client: FeatureClient; capabilities: ServerCapabilities }> {
    const { connection, socket } = await connectRpc(ws);
    const client = new FeatureClient(connection, pathToFileURL(ws.config).href, () => {
      connection.dispose();
      socket.destroy();
    });
    const capabilities = { workspace: { codeLens: { refreshSupport: true } } };
    const result = await connection.sendRequest('initialize', { processId: null, rootUri: null, capabilities, initializationOptions });
    await connection.sendNotification('initialized', {});
    return { client, capabilities: (result as { capabilities: ServerCapabilities }).capabilities };
  }

  /** The version of the document as last opened or changed (what the server computes lenses from). */
  get documentVersion(): number {
    return this.version;
  }

  open(text: string): Promise<void> {
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: this.uri, languageId: 'yaml', version: this.version, text } });
  }

  change(text: string): Promise<void> {
    this.version += 1;
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri: this.uri, version: this.version }, contentChanges: [{ text }] });
  }

  async waitForDiagnostics(predicate: (diagnostics: Diagnostic[]) => boolean, what: string): Promise<Diagnostic[]> {
    await waitUntil(() => this.diagnostics.has(this.uri) && predicate(this.diagnostics.get(this.uri)!), { message: what });
    return this.diagnostics.get(this.uri)!;
  }

  async completion(position: Position): Promise<CompletionItem[]> {
    const result = await this.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: this.uri }, position });
    return Array.isArray(result) ? result : ((result as CompletionList | null)?.items ?? []);
  }

  hover(position: Position) {
    return this.connection.sendRequest(HoverRequest.type, { textDocument: { uri: this.uri }, position });
  }

  definition(position: Position) {
    return this.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: this.uri }, position });
  }

  references(position: Position, includeDeclaration: boolean) {
    return this.connection.sendRequest(ReferencesRequest.type, { textDocument: { uri: this.uri }, position, context: { includeDeclaration } });
  }

  prepareRename(position: Position) {
    return this.connection.sendRequest(PrepareRenameRequest.type, { textDocument: { uri: this.uri }, position });
  }

  rename(position: Position, newName: string) {
    return this.connection.sendRequest(RenameRequest.type, { textDocument: { uri: this.uri }, position, newName });
  }

  symbols() {
    return this.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: this.uri } });
  }

  documentLinks() {
    return this.connection.sendRequest(DocumentLinkRequest.type, { textDocument: { uri: this.uri } });
  }

  foldingRanges() {
    return this.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri: this.uri } });
  }

  async codeActions(diagnostics: Diagnostic[]): Promise<CodeAction[]> {
    const range = diagnostics[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const result = await this.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: this.uri }, range, context: { diagnostics } });
    return (result ?? []) as CodeAction[];
  }

  async codeLenses(): Promise<CodeLens[]> {
    return (await this.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: this.uri } })) ?? [];
  }

  end(): void {
    this.dispose();
  }
}

/** `{ line, character }` of the first `marker` in `text` (a test's way to point into YAML). */
export function positionOf(text: string, marker: string, offset = 0): Position {
  const index = text.indexOf(marker);
  if (index < 0) throw new Error(`'${marker}' not in the text`);
  const before = text.slice(0, index + offset);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - before.lastIndexOf('\n') - 1 };
}
