/**
 * Splits a byte stream into lines with a hard cap on line length, so a
 * program printing 10 MB without a newline costs at most `maxLineBytes` of
 * memory here. Bytes are decoded as UTF-8 per line; a trailing `\r` is
 * dropped (CRLF output).
 */

/** Default cap of one line, in bytes. Longer lines are cut with TRUNCATION_MARKER. */
export const MAX_LINE_BYTES = 16 * 1024;
export const TRUNCATION_MARKER = ' … [line truncated]';

const NEWLINE = 0x0a;

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** True while skipping the rest of a line that was already emitted truncated. */
  private skipping = false;

  constructor(
    private readonly emit: (text: string) => void,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) break;
      this.finishLine(chunk.subarray(start, newline));
      start = newline + 1;
    }
    if (start < chunk.length) this.keep(chunk.subarray(start));
  }

  /** End of stream: a final line without newline is delivered too. */
  end(): void {
    if (this.pendingBytes > 0) this.finishLine(Buffer.alloc(0));
    this.skipping = false;
  }

  private finishLine(tail: Buffer): void {
    if (this.skipping) {
      this.skipping = false;
      return;
    }
    if (this.pendingBytes + tail.length > this.maxLineBytes) {
      this.keep(tail);
      return this.finishLine(Buffer.alloc(0));
    }
    const bytes = this.pendingBytes === 0 ? tail : Buffer.concat([...this.pending, tail]);
    this.pending = [];
    this.pendingBytes = 0;
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    this.emit(bytes.toString('utf8', 0, end));
  }

  /** Buffers part of an unfinished line; past the cap, emits the head once and skips the rest. */
  private keep(part: Buffer): void {
    if (this.skipping) return;
    const room = this.maxLineBytes - this.pendingBytes;
    if (part.length <= room) {
      // Copy: the caller's chunk may be a slice of a large pooled buffer.
      this.pending.push(Buffer.from(part));
      this.pendingBytes += part.length;
      return;
    }
    const head = Buffer.concat([...this.pending, part.subarray(0, room)]);
    this.pending = [];
    this.pendingBytes = 0;
    this.emit(head.toString('utf8') + TRUNCATION_MARKER);
    this.skipping = true;
  }
}
