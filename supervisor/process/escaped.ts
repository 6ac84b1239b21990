/**
 * Processes that left their worker's process group: a daemon that
 * double-forks and calls setsid() is out of reach of every group signal.
 * Each spawn gets a unique run token in its environment (RUN_TOKEN_VAR);
 * children inherit it through setsid, so once the group is gone whatever
 * still carries the token escaped and is stopped too — by the worker's own
 * end here, by the guardian (guardian.ts) if the master dies, by the next
 * master from the stray record if both die. The worker's own end looks
 * first only among processes younger than its leader (a reload waits for
 * that pass) and once more among all of them when the master is quiet
 * (sweepLater). A program that clears its environment before daemonising
 * is beyond this (documented in test/RELIABILITY.md).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { allPids, isAlive, type LeftProcess, leftProcess, type PidClock, readPidClock, readStat } from './procfs';

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

/**
 * Where a worker's leader stands in the kernel's pid sequence: its pid, and
 * the fork count (PidClock.forks) read before it was spawned.
 */
export interface PidBirth {
  pid: number;
  forksBefore: number;
}

/** After pid_max, Linux hands out pids from here again. */
const RESERVED_PIDS = 300;

/**
 * Could `pid` be a process created after the leader `born`? Linux hands out
 * pids in a cycle — each new one after the last, skipping those in use,
 * wrapping at pid_max back to 300 — so everything created after the leader
 * has a pid between the leader's and the last one handed out, until the
 * cycle comes round to the leader's again, which takes at least as many
 * allocations as there are free pids. The fork count since the leader's
 * spawn bounds the allocations: below half the free pids, a pid outside that
 * span belongs to a process older than the leader, which cannot have escaped
 * from it, and its stat need not be read. (A fork that fails after taking a
 * pid, at a cgroup's pids.max for instance, is not counted: the full pass
 * owed after every filtered one, sweepLater, covers that.)
 */
export function mayBeYounger(pid: number, born: PidBirth, clock: PidClock): boolean {
  return !withinOneCycle(born, clock) || handedOutSince(pid, born, clock.lastPid);
}

/** `pid` lies in the span of the cycle after the leader's pid up to `lastPid`. */
function handedOutSince(pid: number, born: PidBirth, lastPid: number): boolean {
  return born.pid <= lastPid ? pid > born.pid && pid <= lastPid : pid > born.pid || pid <= lastPid;
}

function withinOneCycle(born: PidBirth, clock: PidClock): boolean {
  const free = clock.pidMax - RESERVED_PIDS - clock.tasks;
  return clock.forks - born.forksBefore < free / 2;
}

/**
 * The one span a pass reads for all its queries: every query's span ends at
 * the last pid handed out, so the widest holds them all (restarting 200
 * workers would ask 200 questions of each pid otherwise), and each query was
 * checked to be within one cycle here, once. Null: every pid.
 */
function spanToRead(queries: readonly CarrierQuery[]): { born: PidBirth; lastPid: number } | null {
  const clock = queries.every((query) => query.born) ? readPidClock() : null;
  if (!clock) return null;
  let widest: { born: PidBirth; lastPid: number } | null = null;
  let widestLength = -1;
  for (const { born } of queries) {
    if (!born || !withinOneCycle(born, clock)) return null;
    const length = (clock.lastPid - born.pid + clock.pidMax) % clock.pidMax;
    if (length > widestLength) [widest, widestLength] = [{ born, lastPid: clock.lastPid }, length];
  }
  return widest;
}

interface CarrierQuery {
  needle: string;
  /** /proc start time of the worker: an escapee was forked after it. */
  since: number;
  born?: PidBirth;
  found: number[];
  resolve(pids: number[]): void;
}

let pendingQueries: CarrierQuery[] = [];

/**
 * Live processes (never this one) whose environment carries the token.
 * Only processes started at or after `since` (clock ticks, /proc start time)
 * and outside the groups of running workers can be escapees of a worker
 * that started then, so only their environ is read; with `born`, only the
 * stat of pids handed out after the leader's is read (mayBeYounger): at 10
 * workers a pass read ~130 stats (1–1.4 ms of a reload-one), now a handful.
 * Queries made in the same turn of the event loop share one /proc pass.
 */
export function carriersOf(token: string, since = 0, born?: PidBirth): Promise<number[]> {
  return new Promise((resolve) => {
    if (pendingQueries.length === 0) setImmediate(answerCarrierQueries);
    pendingQueries.push({ needle: `\0${RUN_TOKEN_VAR}=${token}\0`, since, born, found: [], resolve });
  });
}

function answerCarrierQueries(): void {
  const queries = pendingQueries;
  pendingQueries = [];
  const oldest = Math.min(...queries.map((query) => query.since));
  const span = spanToRead(queries);
  for (const pid of allPids()) {
    // A group's id is its leader's pid: the leaders of running workers need not even be read.
    if (pid === process.pid || workerGroups.has(pid)) continue;
    if (span && !handedOutSince(pid, span.born, span.lastPid)) continue;
    const stat = readStat(pid);
    if (!stat || stat.state === 'Z' || stat.startTime < oldest || workerGroups.has(stat.pgid)) continue;
    const environ = readEnviron(pid);
    if (environ === null) continue;
    for (const query of queries) {
      if (stat.startTime >= query.since && environ.includes(query.needle)) query.found.push(pid);
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
 * Resolves with them (as they were when found). `since`, `born`: see carriersOf.
 */
export async function stopEscaped(token: string, signal: NodeJS.Signals, timeoutMs: number, since = 0, born?: PidBirth): Promise<LeftProcess[]> {
  const escaped = await carriersOf(token, since, born);
  if (escaped.length === 0) return [];
  const found = escaped.map(leftProcess);
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
  return found;
}

/**
 * The full pass owed after a filtered one waits for a quiet second (no
 * other worker stopped meanwhile), so it stays off the path of a reload
 * and serves every stop of a restart at once; but not longer than
 * SWEEP_LATEST_MS after the first it owes, however busy the master is.
 */
const SWEEP_QUIET_MS = 1_000;
const SWEEP_LATEST_MS = 10_000;

interface Sweep {
  token: string;
  signal: NodeJS.Signals;
  timeoutMs: number;
  since: number;
  resolve(count: number): void;
}

let owedSweeps: Sweep[] = [];
let sweepTimer: NodeJS.Timeout | null = null;
let firstOwedAt = 0;

/**
 * The full pass owed after a stopEscaped with `born` (see mayBeYounger),
 * for every token owed by then at once. Resolves with how many carriers it
 * stopped (normally none).
 */
export function sweepLater(token: string, signal: NodeJS.Signals, timeoutMs: number, since: number): Promise<number> {
  return new Promise((resolve) => {
    if (owedSweeps.length === 0) firstOwedAt = Date.now();
    owedSweeps.push({ token, signal, timeoutMs, since, resolve });
    if (sweepTimer) clearTimeout(sweepTimer);
    const wait = Math.min(SWEEP_QUIET_MS, firstOwedAt + SWEEP_LATEST_MS - Date.now());
    // Unref'd: a master whose event loop ends leaves the owed tokens to its guardian, which still lists them.
    sweepTimer = setTimeout(() => void sweepNow(), Math.max(0, wait)).unref();
  });
}

/** Runs the owed full passes now (a master about to exit, so that its guardian has nothing left to search for). */
export async function sweepNow(): Promise<void> {
  if (sweepTimer) clearTimeout(sweepTimer);
  sweepTimer = null;
  const due = owedSweeps;
  owedSweeps = [];
  await Promise.all(due.map(async (sweep) => sweep.resolve((await stopEscaped(sweep.token, sweep.signal, sweep.timeoutMs, sweep.since)).length)));
}
