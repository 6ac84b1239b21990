/**
 * Stopping a whole process group: the worker's program and everything it
 * forked (npm → node → esbuild …), not just the leader.
 */
import { groupMembers } from './procfs';

const POLL_FIRST_MS = 10;
const POLL_MAX_MS = 100;

/** Sends a signal to every member of a group; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves true once no live member of the group is left, false after
 * `timeoutMs`. Zombies count as gone (they hold no resources but a pid).
 */
export async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let pause = POLL_FIRST_MS;
  for (;;) {
    if (groupMembers(pgid).length === 0) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await sleep(Math.min(pause, left));
    pause = Math.min(pause * 2, POLL_MAX_MS);
  }
}

export interface StopResult {
  /** True when the group had to be SIGKILLed after the timeout. */
  killed: boolean;
}

/**
 * Contract: `signal` to the group → wait up to `timeoutMs` for every member
 * (grandchildren included) to be gone → SIGKILL the group → wait for it.
 * Safe to call on a group that is already gone, or twice at once.
 */
export async function stopGroup(pgid: number, signal: NodeJS.Signals, timeoutMs: number): Promise<StopResult> {
  if (!signalGroup(pgid, signal)) return { killed: false };
  if (await waitGroupGone(pgid, timeoutMs)) return { killed: false };
  signalGroup(pgid, 'SIGKILL');
  await waitGroupGone(pgid, 5_000);
  return { killed: true };
}
