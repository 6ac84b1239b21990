/**
 * Diagnostics for steward.yaml on one connection.
 *
 * - An open steward.yaml is checked as typed (the editor's text wins).
 * - The master's config file, when not open, shows the diagnostics of the
 *   master's last load of it from disk.
 * - A failed reload whose cause is not a config error (a worker that never
 *   became ready, an internal error) is added at its location, so wait
 *   mode's reason is visible in the file; the next good reload clears it.
 * Published after `initialized` (a fresh window, or a reconnect after a
 * window reload, gets the current state) and on every reload.
 */
import { basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Connection, type Diagnostic, type TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { LocatedError, ReloadResult } from '../../shared/protocol';
import { CONFIG_FILE_NAME } from '../config/locate';
import type { ConfigDiagnostic } from '../config/model';
import type { Master } from '../core/master';
import { checkDocument } from './features/checkedDocument';

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

export function toLspDiagnostic(diagnostic: ConfigDiagnostic): Diagnostic {
  return { range: diagnostic.range, severity: SEVERITY[diagnostic.severity], code: diagnostic.code, source: 'steward', message: diagnostic.message };
}

/** A reload failure not caused by the config text, or undefined. */
function reloadFailureDiagnostic(result: ReloadResult | null, textHadErrors: boolean): Diagnostic | undefined {
  if (!result || result.ok || !result.error || textHadErrors) return undefined;
  const error: LocatedError = result.error;
  const line = (error.line ?? 1) - 1;
  const character = (error.column ?? 1) - 1;
  const end = { line: (error.endLine ?? error.line ?? 1) - 1, character: (error.endColumn ?? error.column ?? 1) - 1 };
  return {
    range: { start: { line, character }, end },
    severity: DiagnosticSeverity.Error,
    code: 'reload-failed',
    source: 'steward',
    message: `reload failed, the master is in wait mode: ${error.message}`,
  };
}

function filePath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

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
  attach(onInitialized: (listener: () => void) => void): () => void {
    onInitialized(() => {
      this.initialized = true;
      this.publishAll();
    });
    this.documents.onDidChangeContent((event) => this.publishDocument(event.document));
    this.documents.onDidClose((event) => this.publishClosed(event.document.uri));
    return this.master.onReload(() => this.publishAll());
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
    const hasErrors = checked.diagnostics.some((diagnostic) => diagnostic.severity === 'error');
    const failure = isConfig && this.failureFitsText(document) ? reloadFailureDiagnostic(this.master.status().lastReload, hasErrors) : undefined;
    this.send(document.uri, failure ? [...diagnostics, failure] : diagnostics);
  }

  /**
   * A reload failure is located in the text the reload read: shown on a
   * buffer holding that text (or when nothing could be read: then it is
   * about the file, at its start), not on unsaved edits where that line
   * may be anything.
   */
  private failureFitsText(document: TextDocument): boolean {
    const read = this.master.lastConfigRead();
    return read === null || read.text === null || read.text === document.getText();
  }

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
