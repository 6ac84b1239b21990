/**
 * When a freshly spawned worker without a readiness probe counts as started.
 *
 * A worker that cannot start shows it by exiting within milliseconds: a
 * command that is not found (sh exits 127), an exec error, a program that
 * rejects its arguments (`sleep abc`). Waiting a fixed window for such an
 * exit costs every reload that window. For a program spawned directly or a
 * simple command, which sh replaces with the program (commandLine.ts), the
 * program itself tells when it is past that: once it has been exec'd and
 * blocks for the first time (state S: it waits for a timer, a socket, a
 * child, input), its immediate start is behind it. An exit before that is
 * still a start-up failure; a later one is the restart policy's business.
 *
 * A command line run through sh gets the whole window: the shell blocks in
 * wait() for its first child at once, which says nothing about the command.
 */
import { readFileSync } from 'node:fs';
import { readStat } from './procfs';

/** Why the start-up wait ended: the program blocked after its exec, the window passed, or the caller aborted. */
export type StartupVerdict = 'blocked' | 'window' | 'aborted';

export type StartupWatch =
  /** The program itself, spawned directly: exec'd by the time the spawn returned. */
  | { pid: number; launch: 'program' }
  /** `sh -c` that will exec the program; `shellCmdline` is its /proc/PID/cmdline (shellCmdlineOf). */
  | { pid: number; launch: 'exec'; shellCmdline: string }
  /** sh runs the command itself. */
  | { pid: number; launch: 'shell' };

/**
 * How often a starting program's state is read: a blocked `sleep` or
 * server is seen about a millisecond after it blocks. One timer serves
 * every starting program; it runs only while one is starting.
 */
const STEP_MS = 1;

interface Pending {
  pid: number;
  /** The cmdline it has until its exec; null when it was exec'd already. */
  shellCmdline: Buffer | null;
  done(verdict: StartupVerdict): void;
}

const pending = new Set<Pending>();
let ticker: NodeJS.Timeout | null = null;

export function awaitImmediateStart(watch: StartupWatch, windowMs: number, signal: AbortSignal): Promise<StartupVerdict> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve('aborted');
    const { pid } = watch;
    const shellCmdline = watch.launch === 'exec' ? Buffer.from(watch.shellCmdline) : null;
    const entry: Pending | null = watch.launch === 'shell' ? null : { pid, shellCmdline, done: finish };
    const timer = setTimeout(() => finish('window'), windowMs);
    const onAbort = () => finish('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    function finish(verdict: StartupVerdict): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (entry) pending.delete(entry);
      resolve(verdict);
    }
    if (entry) watchUntilBlocked(entry);
  });
}

function watchUntilBlocked(entry: Pending): void {
  if (blockedAfterExec(entry)) return entry.done('blocked');
  pending.add(entry);
  ticker ??= setTimeout(tick, STEP_MS);
}

function tick(): void {
  ticker = null;
  for (const entry of [...pending]) if (blockedAfterExec(entry)) entry.done('blocked');
  if (pending.size > 0) ticker = setTimeout(tick, STEP_MS);
}

/**
 * Exec'd: its command line is no longer the shell's. Blocked: state S (a
 * zombie is Z, a process still running its start-up R or D). The command
 * line is read only once the state says S, the rarer case per tick.
 */
function blockedAfterExec(entry: Pending): boolean {
  if (readStat(entry.pid)?.state !== 'S') return false;
  if (entry.shellCmdline === null) return true;
  const cmdline = readRawCmdline(entry.pid);
  return cmdline !== null && cmdline.length > 0 && !cmdline.equals(entry.shellCmdline);
}

function readRawCmdline(pid: number): Buffer | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`);
  } catch {
    return null;
  }
}

/** /proc/PID/cmdline of `sh -c SCRIPT`: NUL-terminated words. */
export function shellCmdlineOf(script: string): string {
  return `sh\0-c\0${script}\0`;
}
