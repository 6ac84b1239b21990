/**
 * Per-connection pushes, coalesced so a burst of changes (50 workers
 * starting) becomes a few messages: at most one `steward/statusChanged` per
 * STATUS_COALESCE_MS carrying the latest snapshot, and followed log lines
 * batched per LOG_BATCH_MS.
 */
import type { LogLine, StatusSnapshot } from '../../shared/protocol';

export const STATUS_COALESCE_MS = 15;
export const LOG_BATCH_MS = 30;
const LOG_BATCH_MAX_LINES = 1_000;

export class StatusPusher {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly snapshot: () => StatusSnapshot,
    private readonly send: (snapshot: StatusSnapshot) => void,
  ) {}

  /** A change happened; the client gets the state as it is when the timer fires. */
  changed(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.send(this.snapshot());
    }, STATUS_COALESCE_MS);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

export class LogFollower {
  private pending: LogLine[] = [];
  private timer: NodeJS.Timeout | undefined;

  /** `worker` undefined: every worker. */
  constructor(
    private readonly worker: string | undefined,
    private readonly send: (lines: LogLine[]) => void,
  ) {}

  add(line: LogLine): void {
    if (this.worker !== undefined && line.worker !== this.worker) return;
    this.pending.push(line);
    if (this.pending.length >= LOG_BATCH_MAX_LINES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), LOG_BATCH_MS);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    this.send(lines);
  }

  dispose(): void {
    this.flush();
  }
}
