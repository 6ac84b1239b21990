/**
 * Pure text formatting shared by the commands: located errors in the
 * `file:line:col: error: message` form of `steward check`, durations,
 * colours (only when the stream is a terminal and NO_COLOR is unset), and
 * name-prefixed log lines.
 */
import type { LocatedError, LogBlock } from '../../shared/protocol';

export function formatLocated(error: LocatedError, severity = 'error'): string {
  const where = [error.file, error.line, error.line !== undefined ? error.column : undefined].filter((part) => part !== undefined).join(':');
  return where ? `${where}: ${severity}: ${error.message}` : `${severity}: ${error.message}`;
}

/** `1h02m`, `3m05s`, `12s`, `450ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.floor(ms / 1_000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

export function useColor(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && process.env.NO_COLOR === undefined;
}

const PALETTE = [36, 33, 35, 32, 34, 96, 93, 95, 92, 94];

export function paint(text: string, code: number, color: boolean): string {
  return color ? `\u001b[${code}m${text}\u001b[0m` : text;
}

function colourOf(name: string): number {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return PALETTE[hash % PALETTE.length];
}

/** The prefix label: `api`, or `api[1]` for an instance of a replicated worker. */
export function workerLabel(worker: string, instance: number, replicated: boolean): string {
  return replicated ? `${worker}[${instance}]` : worker;
}

export interface LogFormat {
  color: boolean;
  /** Width the labels are padded to. */
  width: number;
  replicated: (worker: string) => boolean;
}

/**
 * `api    | listening on :4701` for each line of `block` (a LogLine, or a
 * pushed block whose lines are joined by '\n'), lines joined by '\n' without
 * a final one; Steward's own lines about a worker are dimmed.
 */
export function formatLogLines(block: LogBlock, format: LogFormat): string {
  const label = workerLabel(block.worker, block.instance, format.replicated(block.worker)).padEnd(format.width);
  const prefix = `${paint(`${label} |`, colourOf(block.worker), format.color)} `;
  if (block.stream === 'system') return block.text.split('\n').map((line) => prefix + paint(`steward: ${line}`, 2, format.color)).join('\n');
  // One native replace per block, not a template per line: a flood comes in blocks of ~650 lines.
  return prefix + block.text.replaceAll('\n', `\n${prefix}`.replaceAll('$', '$$$$'));
}
