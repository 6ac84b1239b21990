/**
 * Stopping a whole process group: the worker's program and everything it
 * forked (npm → node → esbuild …), not just the leader.
 */
import { livePgids } from './procfs';

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

/** Resolves after `ms`, or earlier when `wake` settles. */
function pause(ms: number, wake?: Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race(wake ? [elapsed, wake] : [elapsed]).finally(() => clearTimeout(timer));
}

/**
 * No live member left? `kill(-pgid, 0)` failing with ESRCH answers at once
 * (the master reaps its own leader, so a simple worker's group vanishes with
 * it). A group that still exists — zombies hold it too — costs a /proc scan,
 * shared by every group checked in the same tick (procfs `livePgids`); not
 * while the leader is known to be unreaped, since the leader is a member.
 */
function groupGone(pgid: number, leaderReaped: boolean): boolean {
  return !signalGroup(pgid, 0) || (leaderReaped && !livePgids().has(pgid));
}

/**
 * Resolves true once no live member of the group is left, false after
 * `timeoutMs`. Zombies count as gone (they hold no resources but a pid).
 * `leaderExited` (the leader's reaped exit) wakes the first re-check early.
 */
export async function waitGroupGone(pgid: number, timeoutMs: number, leaderExited?: Promise<unknown>): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let wait = POLL_FIRST_MS;
  let wake = leaderExited;
  let leaderReaped = leaderExited === undefined;
  void leaderExited?.then(() => (leaderReaped = true));
  for (;;) {
    if (groupGone(pgid, leaderReaped)) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await pause(Math.min(wait, left), wake);
    wake = undefined;
    wait = Math.min(wait * 2, POLL_MAX_MS);
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
 * `leaderExited`: see waitGroupGone.
 */
export async function stopGroup(
  pgid: number,
  signal: NodeJS.Signals,
  timeoutMs: number,
  leaderExited?: Promise<unknown>,
): Promise<StopResult> {
  if (!signalGroup(pgid, signal)) return { killed: false };
  if (await waitGroupGone(pgid, timeoutMs, leaderExited)) return { killed: false };
  signalGroup(pgid, 'SIGKILL');
  await waitGroupGone(pgid, 5_000);
  return { killed: true };
}
