/**
 * When a worker that ended should be started again, and after how long.
 * One predicate decides restarts; one small class keeps the crash history.
 */
import type { RestartPolicy } from '../config/model';

export interface BackoffPolicy {
  /** Delay before the first restart. */
  initialMs: number;
  /** Upper bound of any delay. */
  maxMs: number;
  /** A run at least this long is stable: the crash history starts over. */
  stableMs: number;
  /** This many fast crashes in a row (none followed by a stable run) → give up. */
  maxFastCrashes: number;
}

/** 100, 200, 400, 800 ms, then `failed` at the 5th crash within 10 s of its start. */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 100, maxMs: 10_000, stableMs: 10_000, maxFastCrashes: 5 };

/** `on-failure` restarts after a non-zero exit or a death by signal; `always` after any end. */
export function shouldRestart(policy: RestartPolicy, exit: { code: number | null; signal: string | null }): boolean {
  if (policy === 'always') return true;
  if (policy === 'never') return false;
  return exit.signal !== null || exit.code !== 0;
}

export type BackoffDecision = { giveUp: false; delayMs: number } | { giveUp: true; crashes: number };

export class Backoff {
  private fastCrashes = 0;

  constructor(private readonly policy: BackoffPolicy = DEFAULT_BACKOFF) {}

  /** Records a run that ended after `uptimeMs` and says what to do next. */
  next(uptimeMs: number): BackoffDecision {
    if (uptimeMs >= this.policy.stableMs) this.fastCrashes = 0;
    this.fastCrashes += 1;
    if (this.fastCrashes >= this.policy.maxFastCrashes) return { giveUp: true, crashes: this.fastCrashes };
    const delayMs = Math.min(this.policy.initialMs * 2 ** (this.fastCrashes - 1), this.policy.maxMs);
    return { giveUp: false, delayMs };
  }

  /** Forgets the history (a manual start or restart). */
  reset(): void {
    this.fastCrashes = 0;
  }

  get stableMs(): number {
    return this.policy.stableMs;
  }
}

/** Resolves after `ms`, or at once (with false) when `signal` aborts. */
export function cancellableDelay(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
