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
 * The bytes live in one ring of raw output (ByteRing), decoded only when
 * read: a flood passes through a fixed few MiB instead of leaving strings
 * for the garbage collector to promote and sweep. Bounded by `capacity`
 * (bytes plus a per-entry overhead, so many empty lines count too), growing
 * on demand: an idle worker's ring holds no buffer at all.
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
import { decodeLines } from '../process/lines';
import { ByteRing, type Placed, type RingBudget, type RingRecords } from './byteRing';

/**
 * Output kept per worker instance: what a follower may fall behind by without
 * missing a line (~40,000 lines of 100 bytes), and what `steward logs` can
 * show — while the master-wide RING_BUDGET_BYTES lasts (byteRing.ts).
 */
export const LOG_BUFFER_BYTES = 4 * 1024 * 1024;
/** Rough per-entry cost of the object besides its bytes, for the budget. */
const ENTRY_OVERHEAD_BYTES = 64;
/** Dropped entries are compacted away once this many have piled up at the front. */
const COMPACT_AFTER = 1024;
const NEWLINE = 0x0a;

/** Lines of one stream read together: `lines` lines, joined by '\n', stored at `placed` in the ring (with a final '\n'). */
export interface LogEntry {
  readonly worker: string;
  readonly instance: number;
  readonly stream: LogLine['stream'];
  /** Epoch ms the lines were read. */
  readonly time: number;
  readonly lines: number;
  /** Sequence number of its first line in its buffer. */
  readonly seq: number;
  /** Budget bytes appended to its buffer before it: how far behind a reader is. */
  readonly offset: number;
  readonly placed: Placed;
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
  private cost = 0;
  /** Sequence number of the next line appended. */
  private nextSeq = 0;
  private nextOffset = 0;
  private readonly ring: ByteRing;
  private readonly records: RingRecords = { oldest: () => this.entries[this.head]?.placed, dropOldest: () => this.dropOldest() };
  private readonly listeners = new Set<LogListener>();
  private readonly holders = new Set<object>();
  private holding: { promise: Promise<void>; release: () => void } | undefined;

  constructor(
    readonly worker: string,
    readonly instance: number,
    /** Budget bytes held at most (see LOG_BUFFER_BYTES). */
    readonly capacity = LOG_BUFFER_BYTES,
    /** Shared by every ring of the master (byteRing.ts); tests pass their own. */
    budget?: RingBudget,
  ) {
    this.ring = new ByteRing(capacity, budget);
  }

  /** What it can hold now: `capacity`, or less while the master's shared ring budget is spent (byteRing.ts). */
  get room(): number {
    return this.ring.reach;
  }

  /** Lines held. */
  get size(): number {
    return this.nextSeq - this.oldestSeq();
  }

  /** Budget bytes held (output plus the per-entry overhead). */
  get heldBytes(): number {
    return this.cost;
  }

  /**
   * Copies `lines` lines read at `time` into the ring (`parts`: their bytes
   * joined by '\n', in pieces); the oldest entries go when the budget is
   * exceeded or their bytes are overwritten (the newest one always stays).
   */
  append(stream: LogLine['stream'], parts: readonly Buffer[], lines: number, time: number): LogEntry {
    const length = parts.reduce((sum, part) => sum + part.length, 0);
    // Each record ends with '\n': never empty (an empty line is a line), and decoded without it.
    const placed = this.ring.place(length + 1, this.records);
    let at = placed.at;
    for (const part of parts) at += part.copy(this.ring.bytes, at);
    this.ring.bytes[at] = NEWLINE;
    const entry: LogEntry = { worker: this.worker, instance: this.instance, stream, time, lines, seq: this.nextSeq, offset: this.nextOffset, placed };
    this.entries.push(entry);
    const cost = costOf(entry);
    this.cost += cost;
    this.nextSeq += lines;
    this.nextOffset += cost;
    while (this.cost > this.capacity && this.entries.length - this.head > 1) this.dropOldest();
    if (this.listeners.size > 0) for (const line of linesOf(this.blockOf(entry))) this.listeners.forEach((listener) => listener(line));
    return entry;
  }

  /** The entry as it travels: its lines decoded. Only for an entry still held (one just read or appended). */
  blockOf(entry: LogEntry, skipped = 0): LogBlock {
    const { worker, instance, stream, time } = entry;
    const text = decodeLines(this.bytesOf(entry));
    return skipped > 0 ? { worker, instance, stream, time, text, skipped } : { worker, instance, stream, time, text };
  }

  /** The raw bytes of a held entry's lines (joined by '\n', no final one): a view into the ring, valid until the next append. */
  bytesOf(entry: LogEntry): Buffer {
    return this.ring.bytes.subarray(entry.placed.at, entry.placed.at + entry.placed.length - 1);
  }

  /** A position in the stream (the next line's number): `read` and `from` take it later. */
  mark(): number {
    return this.nextSeq;
  }

  /**
   * Whole entries from `cursor` (a `mark()` or a previous read's `next`) on,
   * up to about `maxBytes` of output and at least one entry when there is any.
   */
  read(cursor: number, maxBytes: number): LogRead {
    const from = Math.max(cursor, this.oldestSeq());
    const entries: LogEntry[] = [];
    let bytes = 0;
    for (let index = this.indexAt(from); index < this.entries.length; index += 1) {
      const entry = this.entries[index]!;
      if (entries.length > 0 && bytes + entry.placed.length > maxBytes) break;
      entries.push(entry);
      bytes += entry.placed.length;
    }
    const last = entries.at(-1);
    return { skipped: from - cursor, entries, next: last ? last.seq + last.lines : from };
  }

  /** Budget bytes held after `cursor`: how far a reader is behind (past the ring: all it holds). */
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
      parts.push(lastLinesOf(this.blockOf(entry), Math.min(missing, entry.lines)));
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
    const oldest = this.entries[this.head]!;
    this.cost -= costOf(oldest);
    this.entries[this.head] = undefined;
    this.head += 1;
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}

function costOf(entry: LogEntry): number {
  return ENTRY_OVERHEAD_BYTES + entry.placed.length;
}
