/**
 * One check per document version, shared by every feature of a connection:
 * diagnostics, hover, navigation, quick fixes and lenses all read the same
 * ParsedConfig, so a keystroke costs one parse however many features ask.
 *
 * Keyed by the TextDocument object (TextDocuments updates it in place and
 * bumps its version), so an entry lives exactly as long as the document.
 */
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { checkConfigText, type ParsedConfig } from '../../config/check';
import { CONFIG_FILE_NAME } from '../../config/locate';

const checked = new WeakMap<TextDocument, { version: number; file: string; epoch: number; parsed: ParsedConfig }>();
/** Counts the times what a check reads besides the text (cwd directories, env files) may have changed. */
let epoch = 0;

/** After a reload (the user may have just created the missing `.env`): the next ask checks every document again. */
export function forgetChecks(): void {
  epoch += 1;
}

/** The check of the document's current text, computed at most once per version. */
export function checkDocument(document: TextDocument, file: string): ParsedConfig {
  const cached = checked.get(document);
  if (cached && cached.version === document.version && cached.file === file && cached.epoch === epoch) return cached.parsed;
  const parsed = checkConfigText(document.getText(), file);
  checked.set(document, { version: document.version, file, epoch, parsed });
  return parsed;
}

/** The file system path of a `file:` URI, or undefined. */
export function uriToPath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

export interface StewardDocument {
  document: TextDocument;
  /** Absolute path the document is checked as. */
  file: string;
  /** The master's own config: live state and reload plans apply to it. */
  isMasterConfig: boolean;
}

/** The document as a steward.yaml (the master's config or any file named steward.yaml), or undefined. */
export function asStewardDocument(document: TextDocument | undefined, configFile: string): StewardDocument | undefined {
  const file = document && uriToPath(document.uri);
  if (!document || file === undefined) return undefined;
  const isMasterConfig = file === configFile;
  if (!isMasterConfig && basename(file) !== CONFIG_FILE_NAME) return undefined;
  return { document, file, isMasterConfig };
}
