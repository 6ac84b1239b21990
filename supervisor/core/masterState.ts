/**
 * The master's closed set of states and the only transitions allowed
 * between them. `reloading` is also the state of the very first load.
 * `stopping` is final: once the master stops it accepts no more reloads.
 */
import type { MasterState } from '../../shared/protocol';
import { closest, didYouMean } from '../config/suggest';

const TRANSITIONS: Record<MasterState, readonly MasterState[]> = {
  reloading: ['running', 'wait', 'stopping'],
  running: ['reloading', 'stopping'],
  wait: ['reloading', 'stopping'],
  stopping: [],
};

export function canTransition(from: MasterState, to: MasterState): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

export class IllegalTransitionError extends Error {
  constructor(from: MasterState, to: MasterState) {
    super(`illegal master state transition ${from} → ${to}`);
  }
}

/** Thrown by per-worker requests that name a worker the running config does not have. */
export class UnknownWorkerError extends Error {
  /** `hint`: said after the name (unknownWorkerHint). */
  constructor(readonly worker: string, hint = '') {
    super(`unknown worker '${worker}'${hint}`);
  }
}

const EVERY_WORKER_CONTROL = 'every worker at once is `steward reload --all` (restart) or `steward down` (stop)';

/** A "did you mean" among the `known` workers; for `all` (PM2's word), what does the request for every worker. */
export function unknownWorkerHint(worker: string, known: readonly string[], everyWorker = EVERY_WORKER_CONTROL): string {
  return worker === 'all' && !known.includes('all') ? `: ${everyWorker}` : didYouMean(closest(worker, known));
}

/** Thrown by per-worker control on the master of an untrusted workspace, which runs no worker command. */
export class UntrustedWorkspaceError extends Error {
  constructor() {
    super('this master serves an untrusted workspace (VS Code Restricted Mode), so it runs no worker command: trust the folder in VS Code, or stop this master (`steward down`) and start one from a terminal with `steward up`');
  }
}

/** Thrown by `steward start` (and `restart`) when the worker was not started: a dependency it needs did not come up, or a stop cut its start short. */
export class StartBlockedError extends Error {
  /** `failed`: the worker whose own start failed or was stopped (a dependency, or `worker` itself); its log says why. */
  /** `label`: the instance the message names (`api[1]` of replicas). */
  constructor(readonly worker: string, reason: string, readonly failed: string, verb: 'started' | 'restarted' = 'started', label = worker) {
    super(`${label} was not ${verb}: ${reason}`);
  }
}

/** Thrown by requests that arrive once the master is stopping. */
export class ShuttingDownError extends Error {
  constructor() {
    super('the master is shutting down');
  }
}
