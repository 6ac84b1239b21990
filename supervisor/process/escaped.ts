/**
 * Processes that left their worker's process group: a daemon that
 * double-forks and calls setsid() is out of reach of every group signal.
 * Each spawn gets a unique run token in its environment (RUN_TOKEN_VAR);
 * children inherit it through setsid, so once the group is gone whatever
 * still carries the token escaped and is stopped too — by the worker's own
 * end here, by the guardian (guardian.ts) if the master dies, by the next
 * master from the stray record if both die. A program that
 * clears its environment before daemonising is beyond this (documented in
 * test/RELIABILITY.md).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAlive, liveStats } from './procfs';

export const RUN_TOKEN_VAR = 'STEWARD_RUN';

export function newRunToken(): string {
  return `${process.pid}-${randomBytes(6).toString('hex')}`;
}

/**
 * Process groups of workers this master runs. Their members carry their own
 * worker's token, never another's (an escapee leaves its group for a session
 * of its own and cannot join another session's group), so a pass skips
 * their environments: with 200 running workers, reading them all cost the
 * first reload-one 8.4 ms here.
 */
const workerGroups = new Set<number>();

/** A worker's group exists (its leader was spawned) until `groupEnded`. */
export function groupStarted(pgid: number): void {
  workerGroups.add(pgid);
}

export function groupEnded(pgid: number): void {
  workerGroups.delete(pgid);
}

interface CarrierQuery {
  needle: string;
  /** /proc start time of the worker: an escapee was forked after it. */
  since: number;
  found: number[];
  resolve(pids: number[]): void;
}

let pendingQueries: CarrierQuery[] = [];

/**
 * Live processes (never this one) whose environment carries the token.
 * Only processes started at or after `since` (clock ticks, /proc start time)
 * and outside the groups of running workers can be escapees of a worker
 * that started then, so only their environ is read; queries made in the same
 * turn of the event loop share one /proc pass.
 */
export function carriersOf(token: string, since = 0): Promise<number[]> {
  return new Promise((resolve) => {
    if (pendingQueries.length === 0) setImmediate(answerCarrierQueries);
    pendingQueries.push({ needle: `\0${RUN_TOKEN_VAR}=${token}\0`, since, found: [], resolve });
  });
}

function answerCarrierQueries(): void {
  const queries = pendingQueries;
  pendingQueries = [];
  const oldest = Math.min(...queries.map((query) => query.since));
  // A group's id is its leader's pid: the leaders of running workers need not even be read.
  for (const stat of liveStats(workerGroups)) {
    if (stat.pid === process.pid || stat.startTime < oldest || workerGroups.has(stat.pgid)) continue;
    const environ = readEnviron(stat.pid);
    if (environ === null) continue;
    for (const query of queries) {
      if (stat.startTime >= query.since && environ.includes(query.needle)) query.found.push(stat.pid);
    }
  }
  for (const query of queries) query.resolve(query.found);
}

/** The environment with a leading NUL, so every variable is framed by NULs; null when unreadable. */
function readEnviron(pid: number): string | null {
  try {
    return `\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}`;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `signal` to every carrier → up to `timeoutMs` → SIGKILL to those left.
 * Resolves with how many there were. `since`: see carriersOf.
 */
export async function stopEscaped(token: string, signal: NodeJS.Signals, timeoutMs: number, since = 0): Promise<number> {
  const escaped = await carriersOf(token, since);
  if (escaped.length === 0) return 0;
  const send = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // gone meanwhile
    }
  };
  escaped.forEach((pid) => send(pid, signal));
  const deadline = Date.now() + timeoutMs;
  while (escaped.some(isAlive) && Date.now() < deadline) await sleep(50);
  escaped.filter(isAlive).forEach((pid) => send(pid, 'SIGKILL'));
  return escaped.length;
}
