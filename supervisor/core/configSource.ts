/**
 * The master's view of the config checker (A's `supervisor/config`): one
 * call that reads and validates the file and says either "here is a valid
 * config" or "here is why not", with 1-based locations for the CLI and the
 * status, and the LSP diagnostics for the language server.
 */
import type { LocatedError } from '../../shared/protocol';
import { checkConfigText } from '../config/check';
import { configFromText, loadConfigFile, toLocatedError } from '../config/load';
import type { ConfigDiagnostic, StewardConfig } from '../config/model';

export type ConfigRead =
  | { ok: true; config: StewardConfig; text: string; diagnostics: ConfigDiagnostic[] }
  | {
      ok: false;
      /** The first error: the reason for wait mode. */
      error: LocatedError;
      errors: LocatedError[];
      /** Null when the file could not be read at all. */
      text: string | null;
      diagnostics: ConfigDiagnostic[];
      /** The env files the text names, readable or not (a missing one is the error, maybe). */
      envFiles?: string[];
    };

/** `justRead`: the file's content when the caller has just read it (a reload's no-op check), so it is not read twice. */
export type ConfigReader = (file: string, justRead?: string) => Promise<ConfigRead>;

export async function readConfig(file: string, justRead?: string): Promise<ConfigRead> {
  const loaded = justRead === undefined ? await loadConfigFile(file) : configFromText(justRead, file);
  if (loaded.kind === 'unreadable') {
    return { ok: false, error: loaded.error, errors: [loaded.error], text: null, diagnostics: [] };
  }
  const { parsed, text } = loaded;
  if (parsed.config) return { ok: true, config: parsed.config, text, diagnostics: parsed.diagnostics };
  const errors = parsed.diagnostics
    .filter((diagnostic) => diagnostic.severity === 'error')
    .map((diagnostic) => toLocatedError(diagnostic, file));
  const error = errors[0] ?? { message: 'invalid configuration', file };
  return { ok: false, error, errors, text, diagnostics: parsed.diagnostics, ...(parsed.envFiles.length > 0 && { envFiles: parsed.envFiles }) };
}

/**
 * Checks a variant of the config text (one more blank line at the end, so
 * the last worker is parsed again) and forgets the result. Run once when the
 * master is idle after starting: its first reload then finds the
 * incremental check's code compiled, as an editor's keystrokes would have
 * left it (first changed-worker check here 2.1 ms cold, 0.6 ms after).
 */
export function warmUpCheck(text: string, file: string): void {
  try {
    checkConfigText(`${text}\n`, file);
  } catch {
    // Only a warm-up: a checker bug shows (and is reported) at the next real check, not here in the master.
  }
}
