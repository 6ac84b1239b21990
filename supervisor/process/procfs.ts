/**
 * Read-only views of the process table and listening sockets, from Linux's
 * /proc. Every reader is best effort: a process can vanish between two
 * reads, and another user's /proc entries may be unreadable; both simply
 * read as "not there".
 *
 * A zombie (state `Z`) counts as dead everywhere: PID 1 in containers often
 * never reaps orphans, so a killed orphan can stay a zombie forever.
 */
import { closeSync, openSync, readFileSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import { createServer } from 'node:net';

export interface ProcStat {
  pid: number;
  /** One-letter state: R, S, D, Z, T, … */
  state: string;
  ppid: number;
  pgid: number;
  /** Start time in clock ticks after boot: with the pid, identifies a process across pid reuse. */
  startTime: number;
  /** How many threads it has (1: a single-threaded program). */
  threads: number;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** One line of /proc/PID/stat is a few hundred bytes; the command name is at most 64. */
const statBuffer = Buffer.alloc(4096);

/**
 * /proc/PID/stat through one reused buffer: open, one read, close. Scans of
 * the whole table (escaped.ts, stop.ts) read every process's stat, and
 * readFileSync costs two more system calls and a buffer per file.
 */
function readStatLine(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    return statBuffer.toString('latin1', 0, readSync(fd, statBuffer, 0, statBuffer.length, null));
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** /proc/PID/stat, or null when the process is gone or unreadable. */
export function readStat(pid: number): ProcStat | null {
  return parseStat(pid, readStatLine(`/proc/${pid}/stat`));
}

/** One thread's /proc/PID/task/TID/stat: its own state (the process's stat shows the main thread's). */
export function readThreadStat(pid: number, tid: number): ProcStat | null {
  return parseStat(pid, readStatLine(`/proc/${pid}/task/${tid}/stat`));
}

function parseStat(pid: number, text: string | null): ProcStat | null {
  if (text === null) return null;
  // The command name (field 2) is in parentheses and may itself contain ") ".
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    pid,
    state: fields[0] ?? '?',
    ppid: Number(fields[1]),
    pgid: Number(fields[2]),
    startTime: Number(fields[19]),
    threads: Number(fields[17]),
  };
}

/** The thread ids of a process ([] when it is gone). */
export function threadIds(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [];
  }
}

/** The children one thread forked (none listed on a kernel without CONFIG_PROC_CHILDREN). */
export function childrenOf(pid: number, tid: number): number[] {
  const text = readText(`/proc/${pid}/task/${tid}/children`);
  return text === null ? [] : text.split(' ').filter(Boolean).map(Number);
}

/**
 * The kernel function a sleeping thread waits in (`do_epoll_wait`,
 * `hrtimer_nanosleep`, `futex_wait_queue`…); '0' while it runs or where the
 * kernel does not say; null when it is gone.
 */
export function readWaitChannel(pid: number, tid: number): string | null {
  return readText(`/proc/${pid}/task/${tid}/wchan`);
}

/** The command line joined by spaces ('' for kernel threads or when unreadable). */
export function readCmdline(pid: number): string {
  const raw = readText(`/proc/${pid}/cmdline`) ?? '';
  return raw.replace(/\0+$/, '').split('\0').join(' ');
}

/**
 * Alive means: exists and is not a zombie. A killed multi-threaded process
 * (a Node master) shows its leader as a zombie while its other threads are
 * still exiting, and those still hold its files — a listening socket still
 * takes connections, then resets them: not gone until they are.
 */
export function isAlive(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== null && isLive(stat);
}

function isLive(stat: ProcStat): boolean {
  return stat.state !== 'Z' || stat.threads > 1;
}

/** Every numeric entry of /proc (the others start with a letter or are `self`-like names). */
export function allPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const first = entry.charCodeAt(0);
    if (first >= 48 && first <= 57) pids.push(Number(entry));
  }
  return pids;
}

/** Live processes (as isAlive counts them), from one read of every /proc/PID/stat. */
export function liveStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const pid of allPids()) {
    const stat = readStat(pid);
    if (stat && isLive(stat)) stats.push(stat);
  }
  return stats;
}

/**
 * Where the kernel's pid allocation stands, from three small files:
 * /proc/loadavg (the last pid handed out in this pid namespace, and how many
 * processes and threads exist), /proc/stat (how many were created since
 * boot) and pid_max. Null where one is missing or unreadable.
 */
export interface PidClock {
  lastPid: number;
  /** Processes and threads created since boot, in every namespace. */
  forks: number;
  /** Processes and threads that exist now. */
  tasks: number;
  /** Pids are handed out below this, wrapping round to 300 (RESERVED_PIDS). */
  pidMax: number;
}

export function readPidClock(): PidClock | null {
  // loadavg: "0.25 1.03 2.10 2/77 28353" — running/existing tasks, then the last pid.
  const load = /\d+\/(\d+) (\d+)\s*$/.exec(readText('/proc/loadavg') ?? '');
  const forks = readForkCount();
  const pidMax = Number(readText('/proc/sys/kernel/pid_max'));
  if (!load || forks === null || !(pidMax > 0)) return null;
  return { lastPid: Number(load[2]), forks, tasks: Number(load[1]), pidMax };
}

/** PidClock.forks alone (what a spawn records, one file instead of three); null where /proc/stat has none. */
export function readForkCount(): number | null {
  const forks = /^processes (\d+)$/m.exec(readText('/proc/stat') ?? '');
  return forks ? Number(forks[1]) : null;
}

let pgidsThisTick: Set<number> | null = null;

/**
 * Process groups with a live member. One scan serves every caller in the
 * same turn of the event loop (e.g. all stopping workers whose poll timers
 * fire together); the next turn scans afresh.
 */
export function livePgids(): Set<number> {
  if (pgidsThisTick === null) {
    pgidsThisTick = new Set(liveStats().map((stat) => stat.pgid));
    setImmediate(() => (pgidsThisTick = null));
  }
  return pgidsThisTick;
}

/** A process group was just created: a scan taken earlier in this turn would miss it. */
export function forgetScan(): void {
  pgidsThisTick = null;
}

/** Live (non-zombie) members of a process group. */
export function groupMembers(pgid: number): ProcStat[] {
  return liveStats().filter((stat) => stat.pgid === pgid);
}

/** A process a worker's program left running when it exited, which Steward then stopped. */
export interface LeftProcess {
  pid: number;
  /** Its command line, spaces between the arguments ('' once it is gone). */
  command: string;
}

/** `pid` with its command line, read now (before it is stopped). */
export function leftProcess(pid: number): LeftProcess {
  return { pid, command: readCmdline(pid) };
}

export interface PortHolder {
  pid: number;
  command: string;
}

/** Inodes of sockets LISTENing on `port`, from /proc/net/tcp and tcp6. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (readText(table) ?? '').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      if (cols.length > 9 && cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A') inodes.add(cols[9]!);
    }
  }
  return inodes;
}

function ownsSocket(pid: number, inodes: Set<string>): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match && inodes.has(match[1]!)) return true;
    } catch {
      // fd closed meanwhile
    }
  }
  return false;
}

/** Whether a live member of one of these process groups listens on TCP `port`. */
export function groupsListenOn(pgids: ReadonlySet<number>, port: number): boolean {
  if (pgids.size === 0) return false;
  const inodes = listeningInodes(port);
  return inodes.size > 0 && liveStats().some((stat) => pgids.has(stat.pgid) && ownsSocket(stat.pid, inodes));
}

/** The process listening on a TCP port, or null when none is visible to us. */
export function portHolder(port: number): PortHolder | null {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return null;
  for (const pid of allPids()) {
    if (ownsSocket(pid, inodes)) return { pid, command: readCmdline(pid) };
  }
  return null;
}

/** True when a real bind on the port succeeds (by default on `::`, which also covers IPv4). */
export function isPortFree(port: number, host?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      const noIpv6 = host === undefined && (error.code === 'EAFNOSUPPORT' || error.code === 'EADDRNOTAVAIL');
      resolve(noIpv6 ? isPortFree(port, '0.0.0.0') : false);
    });
    server.listen({ port, host: host ?? '::', exclusive: true }, () => server.close(() => resolve(true)));
  });
}
