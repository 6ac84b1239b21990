/** Diagnostics (0-based LSP ranges) → 1-based located errors for the CLI and status JSON. */
import type { LocatedError } from '../../shared/protocol';
import type { ConfigDiagnostic } from './model';

export function toLocatedError(diagnostic: ConfigDiagnostic, file: string): LocatedError {
  const { start, end } = diagnostic.range;
  return {
    message: diagnostic.message,
    file,
    line: start.line + 1,
    column: start.character + 1,
    endLine: end.line + 1,
    endColumn: end.character + 1,
  };
}
