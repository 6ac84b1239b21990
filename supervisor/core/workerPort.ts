/**
 * What the master needs from a worker (B's `Worker` in worker.ts provides it;
 * `processWorkers.ts` adapts it). Keeping the master on this narrow port lets
 * the state machine be unit-tested with scripted workers, and keeps the
 * master free of process details.
 */
import type { LogLine, WorkerStatus } from '../../shared/protocol';
import type { WorkerSpec } from '../config/model';
import type { LogBuffer, LogEntry } from './logBuffer';

/**
 * `stopped`: the start was cut short by a stop (`steward stop`, shutdown), not a failure of the worker;
 * `port`: a declared port was held by another program.
 */
export type StartOutcome = { ok: true } | { ok: false; reason: string; stopped?: true; port?: number };

export interface ManagedWorker {
  readonly spec: WorkerSpec;
  readonly instance: number;
  /** The generation this instance belongs to; the master carries an unchanged worker into a new generation. */
  generation: number;
  /** Set by the master while a replaced or removed instance is stopping. */
  draining: boolean;
  /** Resolves once ready (or survived start-up when there is no probe); never throws. */
  start(): Promise<StartOutcome>;
  /** Stops the whole process group (signal → timeout → SIGKILL); never throws. */
  stop(): Promise<void>;
  /** stop(), then start() — unless `mayStart` says no by then (the master began shutting down meanwhile). */
  restart(mayStart?: () => boolean): Promise<StartOutcome>;
  /** Never started (a dependency failed): settles in `failed` with the reason, so it stays listed and a reload retries it. */
  block(reason: string): void;
  status(): WorkerStatus;
  /** The most recent `limit` lines of its ring buffer, oldest first. */
  recentLogs(limit: number): LogLine[];
}

export interface WorkerEvents {
  /** Any change of the worker's status (state, pid, restarts…). */
  onChange(worker: ManagedWorker): void;
  /** A block of output (or a `system` line) was appended to the worker's `logs`. */
  onLog(logs: LogBuffer, entry: LogEntry): void;
}

export type WorkerFactory = (spec: WorkerSpec, instance: number, generation: number, events: WorkerEvents) => ManagedWorker;

/** The reason of a worker stopped on request (`steward stop`, a reload replacing it, shutdown), not ended on its own. */
export { STOPPED_ON_REQUEST } from '../../shared/protocol';

/** A worker whose process has ended and that will not come back on its own. */
export function hasEnded(status: WorkerStatus): boolean {
  return status.state === 'exited' || status.state === 'failed';
}

export function isUp(status: WorkerStatus): boolean {
  return status.state === 'starting' || status.state === 'ready' || status.state === 'running';
}
