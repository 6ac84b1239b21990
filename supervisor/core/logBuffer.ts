/**
 * A bounded ring buffer of one worker's output lines (stdout, stderr and
 * Steward's own `system` lines), kept across restarts of that worker.
 * Bounded twice: by line count and by an estimate of the memory held, so
 * neither many short lines nor a few long ones grow it without limit.
 * Single long lines are already capped by the process layer's splitter.
 */
import type { LogLine } from '../../shared/protocol';

export const LOG_BUFFER_LINES = 5_000;
export const LOG_BUFFER_BYTES = 1024 * 1024;
/** Rough per-line cost of the object besides its text, for the byte budget. */
const LINE_OVERHEAD_BYTES = 64;

export type LogListener = (line: LogLine) => void;

export class LogBuffer {
  private readonly ring: (LogLine | undefined)[];
  /** Index of the oldest line. */
  private head = 0;
  private count = 0;
  private bytes = 0;
  /** Sequence number of the next line pushed (never reset, see `mark`). */
  private nextSeq = 0;
  private readonly listeners = new Set<LogListener>();

  constructor(
    private readonly maxLines = LOG_BUFFER_LINES,
    private readonly maxBytes = LOG_BUFFER_BYTES,
  ) {
    this.ring = new Array<LogLine | undefined>(maxLines);
  }

  get size(): number {
    return this.count;
  }

  /** Estimated bytes held. */
  get heldBytes(): number {
    return this.bytes;
  }

  push(line: LogLine): void {
    const cost = lineCost(line);
    while (this.count > 0 && (this.count === this.maxLines || this.bytes + cost > this.maxBytes)) this.dropOldest();
    this.ring[(this.head + this.count) % this.maxLines] = line;
    this.count += 1;
    this.bytes += cost;
    this.nextSeq += 1;
    for (const listener of this.listeners) listener(line);
  }

  /** The last `n` lines (all when omitted), oldest first. */
  tail(n = this.count): LogLine[] {
    const take = Math.max(0, Math.min(n, this.count));
    const lines: LogLine[] = [];
    for (let i = this.count - take; i < this.count; i += 1) lines.push(this.ring[(this.head + i) % this.maxLines]!);
    return lines;
  }

  /** Lines read at or after `time` (epoch ms), oldest first. */
  since(time: number): LogLine[] {
    return this.tail().filter((line) => line.time >= time);
  }

  /** A position in the stream: `from(mark)` later returns the lines pushed after it (those still held). */
  mark(): number {
    return this.nextSeq;
  }

  from(mark: number): LogLine[] {
    return this.tail(this.nextSeq - mark);
  }

  /**
   * Calls `listener` for every line pushed from now on; returns the
   * unsubscribe function. Take a `tail()` in the same tick for
   * snapshot-then-subscribe: nothing can slip in between.
   */
  subscribe(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private dropOldest(): void {
    const oldest = this.ring[this.head]!;
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.maxLines;
    this.count -= 1;
    this.bytes -= lineCost(oldest);
  }
}

function lineCost(line: LogLine): number {
  return LINE_OVERHEAD_BYTES + line.text.length * 2;
}
