/**
 * Per-connection pushes, coalesced so a burst of changes (50 workers
 * starting) becomes a few messages, and paced by the client so a slow reader
 * costs bounded memory.
 *
 * Status: the first change after a quiet STATUS_COALESCE_MS is pushed at once
 * (leading edge), later ones at most once per STATUS_COALESCE_MS with the
 * latest snapshot; a change of the master's own state (reloading, wait,
 * running…) is always pushed at once.
 *
 * Logs: followed lines go out as one batch per LOG_BATCH_MS, with at most one
 * batch on its way to the client. A follower that reads slower than the
 * workers write has the oldest held lines skipped, and the next batch says
 * how many (`skipped`), instead of lines vanishing or the client being cut off.
 */
import type { LogLine, LogPush, StatusSnapshot } from '../../shared/protocol';

export const STATUS_COALESCE_MS = 15;
export const LOG_BATCH_MS = 30;
/** A batch this big goes out at once (when none is on its way) rather than at the next tick; none is bigger. */
const LOG_BATCH_MAX_LINES = 20_000;
const LOG_BATCH_MAX_BYTES = 2 * 1024 * 1024;
/**
 * What is held for a follower whose previous batch is still being written
 * (text plus LINE_OVERHEAD_BYTES a line); past this, the oldest lines are skipped.
 */
export const LOG_HELD_MAX_BYTES = 4 * 1024 * 1024;
const LINE_OVERHEAD_BYTES = 64;

/** What changed: the master's own state, or a worker's. */
export type ChangeKind = 'master' | 'worker';

export class StatusPusher {
  private timer: NodeJS.Timeout | undefined;
  private immediate = false;
  private lastPush = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly snapshot: () => StatusSnapshot,
    private readonly send: (snapshot: StatusSnapshot) => void,
  ) {}

  /**
   * A change happened; the client gets the state now, or as it is when the
   * coalescing timer fires. "Now" is the end of the current synchronous run
   * (a microtask), so a master that updates several fields in one step is
   * pushed once, consistent, never half-updated.
   */
  changed(kind: ChangeKind = 'worker'): void {
    const quietFor = performance.now() - this.lastPush;
    if (kind === 'master' || (this.timer === undefined && quietFor >= STATUS_COALESCE_MS)) {
      this.pushSoon();
      return;
    }
    this.timer ??= setTimeout(() => this.push(), Math.max(0, STATUS_COALESCE_MS - quietFor));
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.immediate = false;
  }

  private pushSoon(): void {
    if (this.immediate) return;
    this.immediate = true;
    queueMicrotask(() => {
      if (this.immediate) this.push();
    });
  }

  private push(): void {
    this.dispose();
    this.lastPush = performance.now();
    this.send(this.snapshot());
  }
}

export class LogFollower {
  private pending: LogLine[] = [];
  private pendingBytes = 0;
  private skipped = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing = false;

  /**
   * `worker` undefined: every worker. `send` resolves once the batch is
   * written to the client's socket (rejects if the client is gone).
   */
  constructor(
    private readonly worker: string | undefined,
    private readonly send: (push: LogPush) => Promise<void>,
  ) {}

  add(line: LogLine): void {
    if (this.worker !== undefined && line.worker !== this.worker) return;
    this.pending.push(line);
    this.pendingBytes += costOf(line);
    if (this.pending.length >= LOG_BATCH_MAX_LINES && !this.writing) this.flush();
    else if (this.pendingBytes > LOG_HELD_MAX_BYTES) this.skipOldest();
    else this.timer ??= setTimeout(() => this.flush(), LOG_BATCH_MS);
  }

  /** Sends the oldest held lines, unless a batch is still on its way (then its completion sends them). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writing || this.pending.length === 0) return;
    const lines = this.takeOldest(LOG_BATCH_MAX_BYTES, LOG_BATCH_MAX_LINES);
    const push: LogPush = this.skipped > 0 ? { lines, skipped: this.skipped } : { lines };
    this.skipped = 0;
    this.writing = true;
    const written = (): void => {
      this.writing = false;
      if (this.pending.length > 0) this.timer ??= setTimeout(() => this.flush(), 0);
    };
    this.send(push).then(written, written);
  }

  dispose(): void {
    this.flush();
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Keeps the newest half of what is held; the gap is announced with the next batch. */
  private skipOldest(): void {
    this.skipped += this.takeOldest(this.pendingBytes - LOG_HELD_MAX_BYTES / 2, this.pending.length).length;
  }

  /** Removes and returns the oldest held lines: at least one, then as many as fit both budgets. */
  private takeOldest(maxBytes: number, maxLines: number): LogLine[] {
    let count = 0;
    let bytes = 0;
    while (count < Math.min(maxLines, this.pending.length) && (count === 0 || bytes + costOf(this.pending[count]!) <= maxBytes)) {
      bytes += costOf(this.pending[count]!);
      count += 1;
    }
    this.pendingBytes -= bytes;
    const taken = count === this.pending.length ? this.pending : this.pending.slice(0, count);
    this.pending = count === this.pending.length ? [] : this.pending.slice(count);
    return taken;
  }
}

/** Rough memory a held line costs: its text plus the object around it. */
function costOf(line: LogLine): number {
  return line.text.length + LINE_OVERHEAD_BYTES;
}
