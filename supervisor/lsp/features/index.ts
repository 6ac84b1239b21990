/**
 * The editor features for steward.yaml, as one LanguageFeatureHook: each
 * request is answered from the document's cached check (checkedDocument.ts)
 * — completion alone reads the raw text, which is usually broken while
 * typing. Live state and reload plans come from the master, for its own
 * config file only.
 */
import { pathToFileURL } from 'node:url';
import type { Connection, ServerCapabilities, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { LanguageFeatureContext, LanguageFeatureHook } from '../connection';
import { asStewardDocument, checkDocument, type StewardDocument } from './checkedDocument';
import { codeLenses } from './codeLens';
import { completionsAt } from './completion';
import { hoverAt } from './hover';
import { LensRefresher } from './lensRefresh';
import { definitionAt, prepareRenameAt, referencesAt, renameAt } from './navigation';
import { quickFixes } from './quickFixes';
import { documentSymbols, foldingRanges } from './symbols';

export const registerLanguageFeatures: LanguageFeatureHook = (connection, documents, context) => {
  const open = (uri: string): StewardDocument | undefined => asStewardDocument(documents.get(uri), context.configFile);
  const parsed = (doc: StewardDocument) => checkDocument(doc.document, doc.file);
  registerNavigation(connection, open, parsed);
  connection.onCompletion(({ textDocument, position }) => {
    const doc = open(textDocument.uri);
    // A position past the end (some clients send the line after the last) is read as the end, as offsetAt clamps it.
    return doc ? completionsAt(doc.document.getText(), doc.document.positionAt(doc.document.offsetAt(position))) : null;
  });
  connection.onHover(({ textDocument, position }) => {
    const doc = open(textDocument.uri);
    return doc ? hoverAt(parsed(doc), position, doc.isMasterConfig ? context.master.status().workers : undefined, Date.now()) : null;
  });
  connection.onCodeAction(({ textDocument, context: { diagnostics } }) => {
    const doc = open(textDocument.uri);
    return doc ? quickFixes(parsed(doc), doc.document.getText(), textDocument.uri, diagnostics) : null;
  });
  connection.onCodeLens(({ textDocument }) => {
    const doc = open(textDocument.uri);
    if (!doc?.isMasterConfig) return null;
    const { master } = context;
    const { workers, workersEnabled } = master.status();
    const mayControl = !context.clientUntrusted();
    const version = doc.document.version;
    return codeLenses({ parsed: parsed(doc), workers, workersEnabled, mayControl, version, previewPlan: (config) => master.previewPlan(config) });
  });
  watchMasterForLenses(connection, documents, context);
  return {
    completionProvider: { triggerCharacters: [':', ' ', '[', ',', '-'] },
    hoverProvider: true,
    definitionProvider: true,
    referencesProvider: true,
    renameProvider: { prepareProvider: true },
    documentSymbolProvider: true,
    foldingRangeProvider: true,
    codeActionProvider: { codeActionKinds: ['quickfix'] },
    codeLensProvider: { resolveProvider: false },
    documentLinkProvider: { resolveProvider: false },
  } satisfies ServerCapabilities;
};

type Parse = (doc: StewardDocument) => ReturnType<typeof checkDocument>;

function registerNavigation(connection: Connection, open: (uri: string) => StewardDocument | undefined, parsed: Parse): void {
  connection.onDefinition(({ textDocument, position }) => {
    const doc = open(textDocument.uri);
    return doc ? definitionAt(parsed(doc), textDocument.uri, position) : null;
  });
  connection.onReferences(({ textDocument, position, context }) => {
    const doc = open(textDocument.uri);
    return doc ? referencesAt(parsed(doc), textDocument.uri, position, context.includeDeclaration) : null;
  });
  connection.onPrepareRename(({ textDocument, position }) => {
    const doc = open(textDocument.uri);
    return doc ? prepareRenameAt(parsed(doc), position) : null;
  });
  connection.onRenameRequest(({ textDocument, position, newName }) => {
    const doc = open(textDocument.uri);
    return doc ? renameAt(parsed(doc), textDocument.uri, position, newName) : null;
  });
  // Ctrl+click on an env_file path opens the file.
  connection.onDocumentLinks(({ textDocument }) => {
    const doc = open(textDocument.uri);
    return doc ? parsed(doc).outline.files.map(({ range, path }) => ({ range, target: pathToFileURL(path).href })) : null;
  });
  connection.onDocumentSymbol(({ textDocument }) => {
    const doc = open(textDocument.uri);
    return doc ? documentSymbols(parsed(doc), doc.document.getText()) : null;
  });
  connection.onFoldingRanges(({ textDocument }) => {
    const doc = open(textDocument.uri);
    return doc ? foldingRanges(parsed(doc)) : null;
  });
}

/** Live lenses follow the master: any status change or reload asks the client to refresh them. */
function watchMasterForLenses(connection: Connection, documents: TextDocuments<TextDocument>, context: LanguageFeatureContext): void {
  const refresher = new LensRefresher(connection, () => {
    const supported = context.clientCapabilities()?.workspace?.codeLens?.refreshSupport === true;
    return supported && documents.all().some((document) => asStewardDocument(document, context.configFile)?.isMasterConfig);
  });
  const unsubscribe = [context.master.onChange(() => refresher.changed()), context.master.onReload(() => refresher.changed())];
  context.onClose(() => {
    unsubscribe.forEach((stop) => stop());
    refresher.dispose();
  });
}
