/**
 * A bounded ring of one worker instance's output (stdout, stderr and
 * Steward's own `system` lines), kept across restarts of that worker.
 *
 * Entries are blocks as read (the complete lines of one pipe read, joined
 * by '\n'), each carrying the sequence number of its first line. Every line
 * gets a number, never reused, so a reader is just a cursor: `read(cursor)`
 * returns what came after it, and when the ring has moved past the cursor,
 * exactly how many lines it missed. Followers therefore cost no memory of
 * their own (see lsp/pushers.ts LogFollower).
 *
 * Bounded by the memory it holds (text plus a per-entry overhead), growing
 * on demand: an idle worker's ring is an empty array.
 *
 * Flow control: a reader about to be overrun may `hold` the buffer; while
 * any reader holds it, `held` is a promise the producer (the worker's pipe)
 * waits for before reading on, so the worker writes at the reader's pace
 * instead of the reader losing lines — as it would into a terminal. Readers
 * keep holds short (see LogFollower): a stalled client never blocks a worker
 * for long.
 */
import { lastLinesOf, linesOf } from '../../shared/logBlocks';
import type { LogBlock, LogLine } from '../../shared/protocol';

/**
 * Text kept per worker instance: what a follower may fall behind by without
 * missing a line (~40,000 lines of 100 bytes), and what `steward logs` can show.
 */
export const LOG_BUFFER_BYTES = 4 * 1024 * 1024;
/** Rough per-entry cost of the object besides its text, for the byte budget. */
const ENTRY_OVERHEAD_BYTES = 64;
/** Dropped entries are compacted away once this many have piled up at the front. */
const COMPACT_AFTER = 1024;

/** Lines of one stream read together; `text` holds `lines` lines joined by '\n'. */
export interface LogEntry extends LogBlock {
  readonly lines: number;
  /** Sequence number of its first line in its buffer. */
  readonly seq: number;
  /** Bytes (as the ring counts them) appended to its buffer before it: how far behind a reader is. */
  readonly offset: number;
}

/** What `read` found after a cursor. */
export interface LogRead {
  /** Lines between the cursor and the oldest line still held (the reader fell behind). */
  skipped: number;
  entries: LogEntry[];
  /** The cursor for the next read. */
  next: number;
}

export type LogListener = (line: LogLine) => void;

export class LogBuffer {
  /** Oldest first; slots before `head` are dropped (undefined) until compacted. */
  private entries: (LogEntry | undefined)[] = [];
  private head = 0;
  private bytes = 0;
  /** Sequence number of the next line appended. */
  private nextSeq = 0;
  private nextOffset = 0;
  private readonly listeners = new Set<LogListener>();
  private readonly holders = new Set<object>();
  private holding: { promise: Promise<void>; release: () => void } | undefined;

  constructor(
    readonly worker: string,
    readonly instance: number,
    /** Bytes held at most (see LOG_BUFFER_BYTES). */
    readonly capacity = LOG_BUFFER_BYTES,
  ) {}

  /** Lines held. */
  get size(): number {
    return this.nextSeq - this.oldestSeq();
  }

  /** Estimated bytes held. */
  get heldBytes(): number {
    return this.bytes;
  }

  /**
   * Appends `lines` lines (`text`: joined by '\n') read at `time`; the oldest
   * entries go when the budget is exceeded (the newest one always stays).
   */
  append(stream: LogLine['stream'], text: string, lines: number, time: number): LogEntry {
    const entry: LogEntry = { worker: this.worker, instance: this.instance, stream, time, text, lines, seq: this.nextSeq, offset: this.nextOffset };
    this.entries.push(entry);
    this.bytes += costOf(entry);
    this.nextSeq += lines;
    this.nextOffset += costOf(entry);
    while (this.bytes > this.capacity && this.entries.length - this.head > 1) this.dropOldest();
    if (this.listeners.size > 0) for (const line of linesOf(entry)) this.listeners.forEach((listener) => listener(line));
    return entry;
  }

  /** A position in the stream (the next line's number): `read` and `from` take it later. */
  mark(): number {
    return this.nextSeq;
  }

  /**
   * Whole entries from `cursor` (a `mark()` or a previous read's `next`) on,
   * up to about `maxBytes` of text and at least one entry when there is any.
   */
  read(cursor: number, maxBytes: number): LogRead {
    const from = Math.max(cursor, this.oldestSeq());
    const entries: LogEntry[] = [];
    let bytes = 0;
    for (let index = this.indexAt(from); index < this.entries.length; index += 1) {
      const entry = this.entries[index]!;
      if (entries.length > 0 && bytes + entry.text.length > maxBytes) break;
      entries.push(entry);
      bytes += entry.text.length;
    }
    const last = entries.at(-1);
    return { skipped: from - cursor, entries, next: last ? last.seq + last.lines : from };
  }

  /** Bytes held after `cursor`, as `capacity` counts them: how far a reader is behind (past the ring: all it holds). */
  bytesAfter(cursor: number): number {
    return this.nextOffset - (this.entries[this.indexAt(cursor)]?.offset ?? this.nextOffset);
  }

  /** While any reader holds the buffer, `held` asks the producer to wait. Idempotent per reader. */
  hold(reader: object): void {
    this.holders.add(reader);
    if (this.holding) return;
    let release = (): void => undefined;
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.holding = { promise, release };
  }

  release(reader: object): void {
    if (!this.holders.delete(reader) || this.holders.size > 0) return;
    this.holding?.release();
    this.holding = undefined;
  }

  /** Resolves once no reader holds the buffer; undefined when none does now. */
  get held(): Promise<void> | undefined {
    return this.holding?.promise;
  }

  /** The last `n` lines (all when omitted), oldest first. */
  tail(n = this.size): LogLine[] {
    const parts: LogLine[][] = [];
    let missing = Math.min(n, this.size);
    for (let index = this.entries.length - 1; missing > 0 && index >= this.head; index -= 1) {
      const entry = this.entries[index]!;
      parts.push(lastLinesOf(entry, Math.min(missing, entry.lines)));
      missing -= entry.lines;
    }
    return parts.reverse().flat();
  }

  /** The lines appended after `mark` that are still held, oldest first. */
  from(mark: number): LogLine[] {
    return this.tail(this.nextSeq - Math.max(mark, this.oldestSeq()));
  }

  /**
   * Calls `listener` for every line appended from now on; returns the
   * unsubscribe function. Take a `tail()` in the same tick for
   * snapshot-then-subscribe: nothing can slip in between.
   */
  subscribe(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private oldestSeq(): number {
    return this.entries[this.head]?.seq ?? this.nextSeq;
  }

  /** Index of the first entry at or after line `seq` (entries are in seq order). */
  private indexAt(seq: number): number {
    let low = this.head;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.entries[middle]!.seq < seq) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private dropOldest(): void {
    this.bytes -= costOf(this.entries[this.head]!);
    this.entries[this.head] = undefined;
    this.head += 1;
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}

function costOf(entry: LogEntry): number {
  return ENTRY_OVERHEAD_BYTES + entry.text.length;
}
