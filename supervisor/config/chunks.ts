/**
 * Splitting a plain block-style steward.yaml into a header (everything up to
 * the first worker) and one chunk per worker, so that each can be parsed on
 * its own and cached by its text: an edit changes one chunk, and a re-check
 * parses only that one.
 *
 * Deliberately conservative: whenever the layout is not the simple one this
 * recognises, `splitWorkers` says no and the caller parses the whole text.
 * Recognised: `workers:` is the last top-level key, alone on its line; every
 * line after it is blank, a comment, a worker key at one indent
 * (`  name:` with a plain name), or more indented than that; the text does
 * not end in a comment. No tabs, CRs, byte-order mark or directives anywhere.
 */

export interface WorkerChunk {
  /** Offset of the chunk's first character (its worker key line) in the text. */
  offset: number;
  /** The worker key line through the line before the next worker key (or the end). */
  text: string;
}

export interface WorkerChunks {
  /** Text before the first worker: ends with the `workers:` line (and any blank or comment lines after it). */
  header: string;
  chunks: WorkerChunk[];
}

const UNSUPPORTED_CHARACTERS = /[\t\r\uFEFF]|^%/m;
const WORKERS_LINE = /^workers: *$/;
const BLANK_OR_COMMENT = /^ *(#.*)?$/;
/** A worker key line after its indent: a plain name, then `:` and a space or the end of the line. */
const WORKER_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.-]*:(?: |$)/;

/** The header and worker chunks of `text`, or undefined when its layout is not the simple one. */
export function splitWorkers(text: string): WorkerChunks | undefined {
  if (UNSUPPORTED_CHARACTERS.test(text)) return undefined;
  const lines = text.split('\n');
  if (endsInComment(lines)) return undefined;
  const workersLine = lastTopLevelLine(lines);
  if (workersLine === undefined || !WORKERS_LINE.test(lines[workersLine])) return undefined;
  const starts = workerKeyLines(lines, workersLine + 1);
  if (starts === undefined || starts.length === 0) return undefined;
  const offsets = lineOffsets(lines);
  const chunks = starts.map((line, index) => {
    const offset = offsets[line];
    const end = index + 1 < starts.length ? offsets[starts[index + 1]] : text.length;
    return { offset, text: text.slice(offset, end) };
  });
  return { header: text.slice(0, chunks[0].offset), chunks };
}

/** The whole document's root mapping stretches over comments after the last worker; a chunk's mapping would not. */
function endsInComment(lines: string[]): boolean {
  for (let index = lines.length - 1; index >= 0; index--) {
    const content = lines[index].trimStart();
    if (content !== '') return content[0] === '#';
  }
  return false;
}

/** Index of the last line that starts a top-level key (not blank, not a comment, not indented). */
function lastTopLevelLine(lines: string[]): number | undefined {
  for (let index = lines.length - 1; index >= 0; index--) {
    const line = lines[index];
    if (line !== '' && line[0] !== ' ' && line[0] !== '#') return index;
  }
  return undefined;
}

/** Indices of the worker key lines after `from`; undefined when a line breaks the layout. */
function workerKeyLines(lines: string[], from: number): number[] | undefined {
  const starts: number[] = [];
  let indent = 0;
  for (let index = from; index < lines.length; index++) {
    const line = lines[index];
    if (BLANK_OR_COMMENT.test(line)) continue;
    const own = line.length - line.trimStart().length;
    if (indent === 0) indent = own;
    if (own > indent && starts.length > 0) continue;
    if (own !== indent || !WORKER_KEY.test(line.slice(own))) return undefined;
    starts.push(index);
  }
  return starts;
}

function lineOffsets(lines: string[]): number[] {
  const offsets = new Array<number>(lines.length);
  let offset = 0;
  for (let index = 0; index < lines.length; index++) {
    offsets[index] = offset;
    offset += lines[index].length + 1;
  }
  return offsets;
}
