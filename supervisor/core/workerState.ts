/**
 * The closed set of worker states and the moves between them. Every state
 * write goes through `Worker.setState`, which checks this table.
 *
 *   starting ─► running (no probe: from spawn) ─┐
 *      │    └─► ready (probe passed) ───────────┼─► backoff ─► starting …
 *      ├─► failed (start-up failed / gave up)   ├─► exited (ended, no restart)
 *      └─► stopping ◄───────────────────────────┴─► failed (too many fast crashes)
 *   stopping ─► exited;  exited | failed ─► starting (manual start)
 *
 * `starting → starting` updates the reason or the pid (e.g. spawned, probe pending).
 */
import type { WorkerState } from '../../shared/protocol';

const TRANSITIONS: Record<WorkerState, readonly WorkerState[]> = {
  starting: ['starting', 'running', 'ready', 'backoff', 'failed', 'stopping'],
  running: ['backoff', 'exited', 'failed', 'stopping'],
  ready: ['backoff', 'exited', 'failed', 'stopping'],
  backoff: ['starting', 'stopping'],
  stopping: ['exited'],
  exited: ['starting'],
  failed: ['starting'],
};

export function canMove(from: WorkerState, to: WorkerState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The process is gone and nothing will start it again unless asked. */
export function isSettled(state: WorkerState): boolean {
  return state === 'exited' || state === 'failed';
}
