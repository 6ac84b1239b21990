/**
 * Diagnostics for steward.yaml on one connection.
 *
 * - An open steward.yaml is checked as typed (the editor's text wins).
 * - The master's config file, when not open, shows the diagnostics of the
 *   master's last load of it from disk.
 * - A failed reload whose cause is not a config error (a worker that never
 *   became ready, an internal error) is added at its location, so wait
 *   mode's reason is visible in the file, on unsaved edits too (where its
 *   worker now is); the next good reload clears it.
 * Published after `initialized` (a fresh window, or a reconnect after a
 * window reload, gets the current state) and on every reload.
 */
import { basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DiagnosticSeverity, DidChangeWatchedFilesNotification, type ClientCapabilities, type Connection, type Diagnostic, type TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { LocatedError, ReloadResult } from '../../shared/protocol';
import { CONFIG_FILE_NAME } from '../config/locate';
import { checkConfigText, type ParsedConfig } from '../config/check';
import type { ConfigDiagnostic, Position, Range } from '../config/model';
import type { ConfigOutline, WorkerOutline } from '../config/outline';
import { contains } from '../config/ranges';
import type { Master } from '../core/master';
import { checkDocument, forgetChecks } from './features/checkedDocument';

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

export function toLspDiagnostic(diagnostic: ConfigDiagnostic): Diagnostic {
  return { range: diagnostic.range, severity: SEVERITY[diagnostic.severity], code: diagnostic.code, source: 'steward', message: diagnostic.message };
}

/** A reload failure not caused by the config text, or undefined. */
function reloadFailureDiagnostic(result: ReloadResult | null, textHadErrors: boolean, place = reportedRange): Diagnostic | undefined {
  if (!result || result.ok || !result.error || textHadErrors) return undefined;
  return {
    range: place(result.error),
    severity: DiagnosticSeverity.Error,
    code: 'reload-failed',
    source: 'steward',
    message: `reload failed, the master is in wait mode: ${result.error.message}`,
  };
}

/** The error's own location, 1-based → 0-based: right in the text the reload read. */
function reportedRange(error: LocatedError): Range {
  const line = (error.line ?? 1) - 1;
  const character = (error.column ?? 1) - 1;
  return { start: { line, character }, end: { line: (error.endLine ?? error.line ?? 1) - 1, character: (error.endColumn ?? error.column ?? 1) - 1 } };
}

/** The worker whose definition holds `position`. */
function workerAround(outline: ConfigOutline, position: Position): WorkerOutline | undefined {
  return outline.workers.find((worker) => contains(worker.entryRange, { start: position, end: position }));
}

/** The document's first line (at least one character where there is one): where a reason about the whole file goes. */
function firstLine(document: TextDocument): Range {
  const text = document.getText();
  const lineEnd = text.search(/\r|\n/);
  return { start: { line: 0, character: 0 }, end: { line: 0, character: lineEnd < 0 ? text.length : lineEnd } };
}

function filePath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

/** The usual names of env files (`.env`, `.env.local`, `dev.env`): the ones a client is asked to watch. */
const ENV_FILE_WATCHERS = [{ globPattern: '**/.env*' }, { globPattern: '**/*.env' }];

export class DiagnosticsPublisher {
  private initialized = false;
  private readonly configUri: string;

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
    private readonly master: Master,
  ) {
    this.configUri = pathToFileURL(master.configFile).href;
  }

  /** Wires document and master events; returns the cleanup. */
  attach(onInitialized: (listener: () => void) => void, clientCapabilities: () => ClientCapabilities | undefined): () => void {
    onInitialized(() => {
      this.initialized = true;
      this.publishAll();
      // An env file created or edited outside a reload (the missing .env the diagnostics point at): checked again.
      if (clientCapabilities()?.workspace?.didChangeWatchedFiles?.dynamicRegistration) {
        void this.connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: ENV_FILE_WATCHERS }).catch(() => undefined);
      }
    });
    this.connection.onDidChangeWatchedFiles(() => {
      forgetChecks();
      this.publishAll();
    });
    this.documents.onDidChangeContent((event) => this.publishDocument(event.document));
    this.documents.onDidClose((event) => this.publishClosed(event.document.uri));
    return this.master.onReload(() => {
      forgetChecks();
      this.publishAll();
    });
  }

  private isConfigUri(uri: string): boolean {
    return uri === this.configUri || filePath(uri) === this.master.configFile;
  }

  private publishAll(): void {
    for (const document of this.documents.all()) this.publishDocument(document);
    if (!this.documents.all().some((document) => this.isConfigUri(document.uri))) this.publishDisk();
  }

  private publishDocument(document: TextDocument): void {
    const path = filePath(document.uri);
    const isConfig = this.isConfigUri(document.uri);
    if (!this.initialized || (!isConfig && (path === undefined || basename(path) !== CONFIG_FILE_NAME))) return;
    const checked = checkDocument(document, path ?? this.master.configFile);
    const diagnostics = checked.diagnostics.map(toLspDiagnostic);
    const failure = isConfig ? this.failureOn(document, checked) : undefined;
    this.send(document.uri, failure ? [...diagnostics, failure] : diagnostics);
  }

  /**
   * A failed reload's reason on an open buffer of the config: visible as
   * long as the master is in wait mode. It is located in the text the reload
   * read, so on a buffer holding that text (or when nothing could be read:
   * then it is about the file, at its start) it stays where it was reported,
   * unless the buffer's own errors already say it; on unsaved edits it moves
   * to where its worker now is, or to the top when no worker of the edited
   * text is what it is about.
   */
  private failureOn(document: TextDocument, checked: ParsedConfig): Diagnostic | undefined {
    const read = this.master.lastConfigRead();
    const lastReload = this.master.status().lastReload;
    if (read === null || read.text === null || read.text === document.getText()) {
      return reloadFailureDiagnostic(lastReload, checked.diagnostics.some((diagnostic) => diagnostic.severity === 'error'));
    }
    const readText = read.text;
    return reloadFailureDiagnostic(lastReload, false, (error) => {
      const worker = workerAround(this.outlineOf(readText), reportedRange(error).start);
      const now = worker && checked.outline.workers.find((candidate) => candidate.name === worker.name);
      return now?.keyRange ?? firstLine(document);
    });
  }

  /** The outline of the text the last reload read; kept for that text, as every keystroke of an edit asks again. */
  private outlineOf(text: string): ConfigOutline {
    if (this.readOutline?.text !== text) this.readOutline = { text, outline: checkConfigText(text, this.master.configFile).outline };
    return this.readOutline.outline;
  }

  private readOutline: { text: string; outline: ConfigOutline } | undefined;

  private publishClosed(uri: string): void {
    if (this.isConfigUri(uri)) this.publishDisk();
    else this.send(uri, []);
  }

  /** The last load from disk, plus a non-config reload failure. */
  private publishDisk(): void {
    if (!this.initialized) return;
    const read = this.master.lastConfigRead();
    const diagnostics = (read?.diagnostics ?? []).map(toLspDiagnostic);
    const textHadErrors = read !== null && !read.ok;
    const failure = reloadFailureDiagnostic(this.master.status().lastReload, textHadErrors);
    this.send(this.configUri, failure ? [...diagnostics, failure] : diagnostics);
  }

  private send(uri: string, diagnostics: Diagnostic[]): void {
    void this.connection.sendDiagnostics({ uri, diagnostics }).catch(() => undefined);
  }
}
