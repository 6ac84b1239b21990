/** Lines and ranges of a document's text (LSP positions: 0-based lines, UTF-16 columns). */
import type { Range } from '../../config/model';

/** Lines without their terminators (`\n` or `\r\n`). */
export function splitLines(text: string): string[] {
  return text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/** The text a range covers, lines joined with `\n`. */
export function textIn(range: Range, lines: readonly string[]): string {
  const parts = lines.slice(range.start.line, range.end.line + 1);
  parts[parts.length - 1] = parts[parts.length - 1].slice(0, range.end.character);
  parts[0] = parts[0].slice(range.start.character);
  return parts.join('\n');
}
