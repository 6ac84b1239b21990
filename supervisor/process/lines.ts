/**
 * Splits a byte stream into lines a chunk at a time: the complete lines of
 * one chunk are delivered as one block of bytes (the lines joined by '\n',
 * `count` of them), so a flood costs a few native calls per 64 KiB read, not
 * a Buffer and a string per line. `decodeLines` turns a block into text:
 * blocks end at a newline, so a character split between chunks survives,
 * and a trailing `\r` of a line is dropped there (CRLF output).
 *
 * A hard cap on line length: a program printing 10 MB without a newline
 * costs at most `maxLineBytes` of memory here; the line is delivered cut,
 * with TRUNCATION_MARKER, and the rest of it up to the next newline dropped.
 */

/** Default cap of one line, in bytes. Longer lines are cut with TRUNCATION_MARKER. */
export const MAX_LINE_BYTES = 16 * 1024;
export const TRUNCATION_MARKER = ' … [line truncated]';

const NEWLINE = 0x0a;
const NEWLINE_BYTES = Buffer.from('\n');
const MARKER_BYTES = Buffer.from(TRUNCATION_MARKER);
const CARRIAGE_RETURN_AT_LINE_END = /\r(?=\n|$)/g;

/**
 * Receives the bytes of `count` complete lines joined by '\n' (no trailing
 * newline), in stream order, as the concatenation of `parts` (a line
 * completed from an earlier chunk comes as its own parts: no copy of the
 * chunk to join them). The parts may be slices of the caller's chunk: copy
 * what is kept beyond the call.
 */
export type LineBlockSink = (parts: readonly Buffer[], count: number) => void;

/**
 * A block's lines as text, with the `\r` of CRLF endings dropped. UTF-8 by
 * default; 'latin1' gives one character per byte, which lsp/logPushFrame.ts
 * writes back byte for byte.
 */
export function decodeLines(bytes: Buffer, start = 0, end = bytes.length, encoding: 'utf8' | 'latin1' = 'utf8'): string {
  const text = bytes.toString(encoding, start, end);
  return text.includes('\r') ? text.replace(CARRIAGE_RETURN_AT_LINE_END, '') : text;
}

export class LineSplitter {
  /** The start of an unfinished line, copied out of the caller's chunk; never longer than the cap. */
  private partial: Buffer | undefined;
  /** True while dropping the rest of a line that was already delivered cut. */
  private skipping = false;

  constructor(
    private readonly emit: LineBlockSink,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    if (!this.skipping && this.partial === undefined) return this.emitLines(chunk, 0, undefined);
    const newline = chunk.indexOf(NEWLINE);
    if (newline === -1) return this.keep(chunk);
    this.emitLines(chunk, newline + 1, this.finishPartial(chunk.subarray(0, newline)));
  }

  /** End of stream: a final line without newline is delivered too. */
  end(): void {
    if (this.partial !== undefined) this.emit([this.partial], 1);
    this.partial = undefined;
    this.skipping = false;
  }

  /**
   * Delivers `first` (a line completed from the held start, if any) and the
   * complete lines of `chunk` from `start` on as blocks — an over-long line
   * cut on its own, in order — and keeps the unfinished rest.
   */
  private emitLines(chunk: Buffer, start: number, first: Buffer | undefined): void {
    let head = first;
    let blockStart = start;
    let lineStart = start;
    let count = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, lineStart);
      if (newline === -1) break;
      if (newline - lineStart > this.maxLineBytes) {
        this.emitBlock(head, chunk.subarray(blockStart, lineStart - 1), count);
        head = undefined;
        this.emitTruncated(chunk.subarray(lineStart, lineStart + this.maxLineBytes));
        blockStart = newline + 1;
        count = 0;
      } else {
        count += 1;
      }
      lineStart = newline + 1;
    }
    this.emitBlock(head, chunk.subarray(blockStart, lineStart - 1), count);
    this.keep(chunk.subarray(lineStart));
  }

  /** `head`, then the `count` lines in `bytes`, as one block. */
  private emitBlock(head: Buffer | undefined, bytes: Buffer, count: number): void {
    if (count === 0) {
      if (head !== undefined) this.emit([head], 1);
      return;
    }
    if (head === undefined) this.emit([bytes], count);
    else this.emit([head, NEWLINE_BYTES, bytes], count + 1);
  }

  /** The held start of a line plus its `tail` up to the newline: the line, or undefined when it was delivered cut (or dropped). */
  private finishPartial(tail: Buffer): Buffer | undefined {
    if (this.skipping) {
      this.skipping = false;
      return undefined;
    }
    const held = this.partial!;
    this.partial = undefined;
    if (held.length + tail.length <= this.maxLineBytes) return Buffer.concat([held, tail]);
    this.emitTruncated(Buffer.concat([held, tail], this.maxLineBytes));
    return undefined;
  }

  /** Holds the start of an unfinished line; past the cap, delivers its head once and drops the rest. */
  private keep(part: Buffer): void {
    if (this.skipping || part.length === 0) return;
    const held = this.partial?.length ?? 0;
    if (held + part.length <= this.maxLineBytes) {
      // A copy: the caller's chunk may be a slice of a much larger buffer.
      this.partial = this.partial === undefined ? Buffer.from(part) : Buffer.concat([this.partial, part]);
      return;
    }
    this.emitTruncated(Buffer.concat(this.partial === undefined ? [part] : [this.partial, part], this.maxLineBytes));
    this.partial = undefined;
    this.skipping = true;
  }

  private emitTruncated(head: Buffer): void {
    this.emit([head, MARKER_BYTES], 1);
  }
}
