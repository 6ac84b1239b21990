/**
 * Reads /proc to verify what the tools report: which pids exist, which are
 * workers of this bench run, their RSS and CPU time. A process in state Z
 * counts as dead (PID 1 on this machine never reaps orphans).
 *
 * Bench processes are recognised by environment markers the harness sets:
 * `BENCH_TAG` on everything a tool starts for a run (inherited by daemon and
 * workers), `BENCH_WORKER=<name>` on each worker. Markers survive exec, so
 * they identify the worker program itself whatever launched it.
 */
import { readdirSync, readFileSync } from 'node:fs';

export const TAG_VAR = 'BENCH_TAG';
export const WORKER_VAR = 'BENCH_WORKER';

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  startTime: number;
}

/** /proc/PID/stat, or null when the process is gone. */
export function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  return {
    pid,
    comm: text.slice(text.indexOf('(') + 1, close),
    state: fields[0],
    ppid: Number(fields[1]),
    startTime: Number(fields[19]),
  };
}

export function isAlive(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== null && stat.state !== 'Z';
}

/** A field of /proc/PID/status in kB (VmRSS, VmHWM), 0 when gone. */
export function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** The BENCH_ variables of a process; null when unreadable or empty (a process in the middle of exec shows no environment). */
function readMarkers(pid: number): Map<string, string> | null {
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    if (environ === '') return null;
    const markers = new Map<string, string>();
    for (const entry of environ.split('\0')) {
      if (entry.startsWith('BENCH_')) {
        const eq = entry.indexOf('=');
        markers.set(entry.slice(0, eq), entry.slice(eq + 1));
      }
    }
    return markers;
  } catch {
    return null;
  }
}

export interface RunProcesses {
  /** Live worker programs by worker name (an intermediate `sh` excluded). */
  workers: Map<string, number[]>;
  /** Live processes of the run that are not workers: daemons, helpers, CLIs in flight. */
  supervisor: number[];
}

/**
 * Scans /proc for the live processes of one bench run. Unrelated processes
 * and workers are cached by pid + start time + comm (comm changes on exec,
 * so a child seen between fork and exec is read again).
 */
export class ProcessIndex {
  private readonly cache = new Map<string, Map<string, string> | null>();

  scan(tag: string): RunProcesses {
    const result: RunProcesses = { workers: new Map(), supervisor: [] };
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || pid === process.pid) continue;
      const stat = readStat(pid);
      if (stat === null || stat.state === 'Z') continue;
      const markers = this.markersOf(stat);
      if (markers?.get(TAG_VAR) !== tag) continue;
      const worker = markers.get(WORKER_VAR);
      if (worker === undefined) result.supervisor.push(pid);
      else if (stat.comm !== 'sh') result.workers.set(worker, [...(result.workers.get(worker) ?? []), pid]);
    }
    return result;
  }

  private markersOf(stat: ProcStat): Map<string, string> | null {
    const key = `${stat.pid}:${stat.startTime}:${stat.comm}`;
    if (this.cache.has(key)) return this.cache.get(key) ?? null;
    const markers = readMarkers(stat.pid);
    const settled = markers !== null && (!markers.has(TAG_VAR) || markers.has(WORKER_VAR));
    if (settled) this.cache.set(key, markers);
    return markers;
  }
}

/** The pid in a daemon's pid file, as a list (empty when the file is missing). */
export function readPidFile(path: string): number[] {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? [pid] : [];
  } catch {
    return [];
  }
}

/** CPU time of all threads of `pid` in ms, at nanosecond resolution (/proc/PID/task/TID/schedstat); 0 when gone. */
export function cpuMs(pid: number): number {
  let total = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
      } catch {
        // the thread ended between the listing and the read
      }
    }
  } catch {
    return 0;
  }
  return total;
}
