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
 * Logs: a follower is a cursor into each worker's ring buffer
 * (core/logBuffer.ts), not a queue: it pushes what an event-loop turn read at
 * the end of that turn, and the next batch when its previous one was written
 * to the socket, so a slow reader costs no memory beyond the batch on its way. A follower half a ring behind holds the worker's pipe
 * until it is back within a quarter (the worker writes at the client's pace,
 * as into a terminal), but never longer than LOG_HOLD_MAX_MS at a time: a
 * stalled client lets the ring move on, misses lines, and the next block
 * says exactly how many (`skipped`); it holds again once it caught up.
 */
import type { StatusSnapshot } from '../../shared/protocol';
import type { LogBuffer, LogEntry } from '../core/logBuffer';
import type { HeldBlock } from './logPushFrame';

export const STATUS_COALESCE_MS = 15;
/**
 * Output in one push at most (whole blocks; a single block may exceed it).
 * Small enough that the message's string and Buffer are short-lived young
 * objects: at 1 MiB the master's peak RSS moving 100 MB was 105 MB, at
 * 256 KiB 70 MB, for the same CPU.
 */
export const LOG_BATCH_MAX_BYTES = 256 * 1024;
/** A follower further behind than this share of a worker's ring holds the worker's pipe… */
const HOLD_AT_SHARE = 0.5;
/** …until it is back within this share. */
const RELEASE_AT_SHARE = 0.25;
/** A hold this long means the client is stalled, not slow: the worker goes on without it. */
export const LOG_HOLD_MAX_MS = 1_000;

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
  /** Next line to send, per worker buffer; weak, so a retired worker's buffer can go. */
  private readonly cursors = new WeakMap<LogBuffer, number>();
  /** Buffers holding lines past their cursor, in the order they got them. */
  private readonly unread = new Set<LogBuffer>();
  /** A push at the end of this event-loop turn, which gathers everything the turn read. */
  private soon: NodeJS.Immediate | undefined;
  private writing = false;
  private disposed = false;
  /** Rings this follower holds, with the timer that ends the hold. */
  private readonly holds = new Map<LogBuffer, NodeJS.Timeout>();
  /** Rings whose hold ran out; not held again until the follower caught up. */
  private readonly stalled = new WeakSet<LogBuffer>();

  /**
   * `workers` undefined: every worker. `send` encodes the blocks at once (they
   * are views into the rings) and resolves once the push is written to the
   * client's socket (rejects if the client is gone).
   */
  constructor(
    private workers: ReadonlySet<string> | undefined,
    private readonly send: (blocks: readonly HeldBlock[]) => Promise<void>,
  ) {}

  /**
   * Follows these workers from now on (undefined: every worker). A worker
   * followed before and after keeps its cursor: nothing of it is lost or
   * sent twice. One no longer followed is let go of, and its lines not sent
   * yet are not sent.
   */
  follow(workers: ReadonlySet<string> | undefined): void {
    this.workers = workers;
    for (const logs of [...this.unread]) {
      if (this.follows(logs)) continue;
      this.unread.delete(logs);
      this.cursors.delete(logs);
    }
    for (const logs of [...this.holds.keys()]) if (!this.follows(logs)) this.release(logs);
  }

  /**
   * `entry` was appended to `logs`. The first entry of a buffer since the
   * follower began following its worker sets its cursor, so it gets
   * everything from then on.
   */
  add(logs: LogBuffer, entry: LogEntry): void {
    if (this.disposed) return;
    if (!this.follows(logs)) {
      // Followed again later, it starts from then, not from where it was dropped.
      this.cursors.delete(logs);
      return;
    }
    if (!this.cursors.has(logs)) this.cursors.set(logs, entry.seq);
    this.unread.add(logs);
    this.pace(logs);
    if (!this.writing) this.soon ??= setImmediate(() => this.flush());
  }

  /** Pushes what is unread, unless a batch is still on its way (its completion pushes the rest). */
  flush(): void {
    clearImmediate(this.soon);
    this.soon = undefined;
    if (this.writing || this.unread.size === 0) return;
    const blocks = this.takeBatch();
    this.writing = true;
    const written = (): void => {
      this.writing = false;
      if (!this.disposed && this.unread.size > 0) this.flush();
    };
    this.send(blocks).then(written, written);
  }

  /** Sends what is unread if it can go now; nothing after. Lets go of every worker it held. */
  dispose(): void {
    this.flush();
    this.disposed = true;
    this.unread.clear();
    for (const logs of [...this.holds.keys()]) this.release(logs);
  }

  private follows(logs: LogBuffer): boolean {
    return this.workers === undefined || this.workers.has(logs.worker);
  }

  /** Holds a worker's ring this follower is about to be overrun on; lets go once it caught up. */
  private pace(logs: LogBuffer): void {
    const behind = logs.bytesAfter(this.cursors.get(logs) ?? logs.mark());
    // `room`, not `capacity`: a ring the shared budget keeps small must be held before it is overrun.
    if (behind <= logs.room * RELEASE_AT_SHARE) {
      this.stalled.delete(logs);
      this.release(logs);
    } else if (behind > logs.room * HOLD_AT_SHARE && !this.holds.has(logs) && !this.stalled.has(logs)) {
      logs.hold(this);
      const giveUp = (): void => {
        this.stalled.add(logs);
        this.release(logs);
      };
      this.holds.set(logs, setTimeout(giveUp, LOG_HOLD_MAX_MS));
    }
  }

  private release(logs: LogBuffer): void {
    const timer = this.holds.get(logs);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.holds.delete(logs);
    logs.release(this);
  }

  /** Up to LOG_BATCH_MAX_BYTES of unread blocks, from the buffers that got output first, workers interleaved as they wrote. */
  private takeBatch(): HeldBlock[] {
    const perWorker: HeldBlock[][] = [];
    let room = LOG_BATCH_MAX_BYTES;
    for (const logs of this.unread) {
      const { skipped, entries, next } = logs.read(this.cursors.get(logs) ?? logs.mark(), room);
      this.cursors.set(logs, next);
      if (next === logs.mark()) this.unread.delete(logs);
      this.pace(logs);
      perWorker.push(entries.map((entry, index) => ({ logs, entry, skipped: index === 0 ? skipped : 0 })));
      room -= entries.reduce((sum, entry) => sum + entry.placed.length, 0);
      if (room <= 0) break;
    }
    return perWorker.length === 1 ? perWorker[0] : mergeByTime(perWorker);
  }
}

/** One list in time order that keeps each input list's own order (a clock step back must not reorder a worker's lines). */
function mergeByTime(lists: HeldBlock[][]): HeldBlock[] {
  const merged: HeldBlock[] = [];
  const positions = lists.map(() => 0);
  const headOf = (index: number): HeldBlock | undefined => lists[index][positions[index]];
  for (;;) {
    let pick = -1;
    for (let index = 0; index < lists.length; index += 1) {
      const head = headOf(index);
      if (head && (pick === -1 || head.entry.time < headOf(pick)!.entry.time)) pick = index;
    }
    if (pick === -1) return merged;
    merged.push(headOf(pick)!);
    positions[pick] += 1;
  }
}
