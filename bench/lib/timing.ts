/** Wall-clock helpers: every figure of the bench is measured with these. */
import { setTimeout as delay } from 'node:timers/promises';

export { delay };

/** Milliseconds on the monotonic clock. */
export function now(): number {
  return performance.now();
}

/** Runs `action` and returns how long it took in ms (wall clock). */
export async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = now();
  await action();
  return now() - started;
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Says what was awaited, for the timeout error. */
  what: string;
}

/**
 * Polls `condition` until it holds; throws after `timeoutMs`. The harness
 * polls (the tools under test must not): the interval is short so that the
 * poll adds at most a few ms to a measurement.
 */
export async function waitFor(condition: () => boolean | Promise<boolean>, options: WaitOptions): Promise<void> {
  const deadline = now() + options.timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (now() > deadline) throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}`);
    await delay(options.intervalMs ?? 3);
  }
}
