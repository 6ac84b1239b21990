/**
 * Shared helpers for tests that start real processes: leak checks and waits.
 *
 * Leak checks work by MARKER, not by parentage: an orphaned grandchild is
 * reparented away from the test, so "my descendants" misses exactly the
 * processes that leaked. Give every process a test starts a unique marker
 * in its environment (children inherit it) or on its command line:
 *
 *   const marker = newMarker('crash-loop');
 *   const spec = { ..., env: { [MARKER_VAR]: marker } };   // or pass `marker` as an argv word
 *   try { ... } finally { await assertNoLeaks(marker); }  // fails naming pid + command of survivors
 *
 * A process in state Z counts as dead everywhere (PID 1 here never reaps
 * orphans, so a killed orphan stays a zombie forever). The test process
 * itself is never reported.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { allPids, readCmdline, readStat } from '../../supervisor/process/procfs';

export { isAlive, readCmdline, readStat } from '../../supervisor/process/procfs';

/** The environment variable tests put their marker in. */
export const MARKER_VAR = 'STEWARD_TEST_MARKER';

export interface LiveProcess {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
  command: string;
}

/** A string unique to one test, safe on command lines and in env values. */
export function newMarker(label = 'test'): string {
  return `steward-${label.replace(/[^A-Za-z0-9-]/g, '-')}-${randomUUID().slice(0, 8)}`;
}

function carriesMarker(pid: number, marker: string): boolean {
  if (readCmdline(pid).includes(marker)) return true;
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').includes(marker);
  } catch {
    return false;
  }
}

function describeLive(pid: number): LiveProcess | null {
  const stat = readStat(pid);
  if (!stat || stat.state === 'Z') return null;
  return { pid, ppid: stat.ppid, pgid: stat.pgid, state: stat.state, command: readCmdline(pid) };
}

/** Live (non-zombie) processes whose command line or environment carries `marker`. */
export function markedProcesses(marker: string): LiveProcess[] {
  return allPids()
    .filter((pid) => pid !== process.pid && carriesMarker(pid, marker))
    .map(describeLive)
    .filter((live): live is LiveProcess => live !== null);
}

/** Live descendants of `rootPid` (default: this test process), by parent links. */
export function liveDescendants(rootPid = process.pid): LiveProcess[] {
  const all = allPids().map(describeLive).filter((live): live is LiveProcess => live !== null);
  const found: LiveProcess[] = [];
  const parents = new Set([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const live of all) {
      if (parents.has(live.ppid) && !parents.has(live.pid)) {
        parents.add(live.pid);
        found.push(live);
        grew = true;
      }
    }
  }
  return found;
}

/** Polls `predicate` until it holds; throws `message` (plus elapsed time) after `timeoutMs`. */
export async function waitUntil(
  predicate: () => boolean | Promise<boolean>,
  { timeoutMs = 5_000, intervalMs = 20, message = 'condition' }: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await predicate()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${message}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Waits up to `timeoutMs` for every process carrying `marker` to be gone;
 * if some survive, SIGKILLs them (so one failure does not poison later
 * tests) and throws naming each survivor.
 */
export async function assertNoLeaks(marker: string, { timeoutMs = 3_000 } = {}): Promise<void> {
  try {
    await waitUntil(() => markedProcesses(marker).length === 0, { timeoutMs, message: `no process marked ${marker}` });
  } catch {
    const survivors = markedProcesses(marker);
    killMarked(marker);
    const list = survivors.map((p) => `pid ${p.pid} (${p.state}, pgid ${p.pgid}): ${p.command}`).join('\n  ');
    throw new Error(`leaked ${survivors.length} process(es) marked ${marker}:\n  ${list}`);
  }
}

/** SIGKILLs every process carrying `marker` (cleanup after a failed test); returns how many. */
export function killMarked(marker: string): number {
  const live = markedProcesses(marker);
  for (const { pid } of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return live.length;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
