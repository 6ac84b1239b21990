/**
 * When a freshly spawned worker without a readiness probe counts as started.
 *
 * A worker that cannot start shows it by exiting soon: a command that is
 * not found, a program that rejects its arguments (`sleep abc`), an
 * interpreter whose script is missing, does not parse or throws while it
 * loads (`node missing.js` exits 60–100 ms after its exec here, Python's
 * `sys.exit(2)` as late). A fixed window long enough for those would cost
 * every reload that window. The program tells instead when it is past its
 * start: its process tree goes quiet. Every process in it is blocked
 * waiting for something outside itself (a timer, a socket, input, a
 * child); none runs or waits for the disk. A thread blocked on a futex waits
 * for another thread of its own program (Node's main thread does while it
 * starts), which says nothing. An exit before the tree went quiet is a
 * start-up failure; a later one is the restart policy's business. A tree
 * that never goes quiet (a busy loop, a runtime whose main thread only
 * ever waits on a futex) counts as started after the window.
 *
 * A multi-threaded program can look quiet for a moment while it still
 * loads: Node's main thread waits in epoll while its thread pool reads the
 * next module (3 ms, seen with an ES module importing a missing one). Such a
 * tree, and one whose wait channel the kernel does not show, must stay
 * quiet for SETTLE_MS. A single-threaded program blocked in a known wait is
 * past its start at once: `sleep` about a millisecond after its exec.
 */
import { readFileSync } from 'node:fs';
import { childrenOf, readStat, readThreadStat, readWaitChannel, threadIds } from './procfs';

/** Why the start-up wait ended: the program's tree went quiet, the window passed, or the caller aborted. */
export type StartupVerdict = 'quiet' | 'window' | 'aborted';

export type StartupWatch =
  /** The program itself, spawned directly: exec'd by the time the spawn returned. */
  | { pid: number; launch: 'program' }
  /** `sh -c` that will exec the program; `shellCmdline` is its /proc/PID/cmdline (shellCmdlineOf). */
  | { pid: number; launch: 'exec'; shellCmdline: string }
  /** sh runs the command itself: the shell waiting for its children is quiet, the children decide. */
  | { pid: number; launch: 'shell' };

/**
 * How often a starting tree is looked at, by its age: a blocked `sleep` is
 * seen about a millisecond after it blocks; a tree still busy later is looked
 * at less often, as a look at a multi-threaded one reads every thread (~0.2
 * ms): a dev server compiling through the whole window, or one already
 * writing output flat out, costs the master 2 % of a core, not 20 %. One
 * timer serves every starting program; it runs only while one is starting.
 */
const STEPS: ReadonlyArray<{ untilAgeMs: number; stepMs: number }> = [
  { untilAgeMs: 20, stepMs: 1 },
  { untilAgeMs: 200, stepMs: 4 },
  { untilAgeMs: Infinity, stepMs: 10 },
];
/** How long a tree that might still be loading must stay quiet (see above). */
const SETTLE_MS = 10;
/** Deeper than any real tree: a bound for a fork bomb, not a limit anyone meets. */
const MAX_DEPTH = 16;

/** quiet: past its start; settling: quiet unless it wakes within SETTLE_MS; busy: still starting. */
type TreeState = 'quiet' | 'settling' | 'busy';

interface Pending {
  pid: number;
  /** When (ms, performance.now) it was spawned, and when it is looked at next. */
  since: number;
  nextLook: number;
  /** The cmdline it has until its exec; null when it was exec'd already. */
  shellCmdline: Buffer | null;
  /** Since when (ms) the tree has been settling without a break. */
  settlingSince: number | null;
  done(verdict: StartupVerdict): void;
}

const pending = new Set<Pending>();
let ticker: NodeJS.Timeout | null = null;

export function awaitImmediateStart(watch: StartupWatch, windowMs: number, signal: AbortSignal): Promise<StartupVerdict> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve('aborted');
    const shellCmdline = watch.launch === 'exec' ? Buffer.from(watch.shellCmdline) : null;
    const now = performance.now();
    const entry: Pending = { pid: watch.pid, since: now, nextLook: now, shellCmdline, settlingSince: null, done: finish };
    const timer = setTimeout(() => finish('window'), windowMs);
    const onAbort = () => finish('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    function finish(verdict: StartupVerdict): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      pending.delete(entry);
      resolve(verdict);
    }
    if (look(entry)) return entry.done('quiet');
    pending.add(entry);
    schedule();
  });
}

function tick(): void {
  ticker = null;
  const now = performance.now();
  for (const entry of [...pending]) if (entry.nextLook <= now && look(entry)) entry.done('quiet');
  schedule();
}

function schedule(): void {
  if (pending.size === 0) return;
  const next = Math.min(...[...pending].map((entry) => entry.nextLook));
  clearTimeout(ticker ?? undefined);
  ticker = setTimeout(tick, Math.max(1, next - performance.now()));
}

/** Looks at the tree now and says when to look next. */
function look(entry: Pending): boolean {
  const now = performance.now();
  const age = now - entry.since;
  entry.nextLook = now + STEPS.find((step) => age < step.untilAgeMs)!.stepMs;
  return isPastStart(entry, now);
}

function isPastStart(entry: Pending, now: number): boolean {
  if (entry.shellCmdline !== null) {
    if (!execed(entry.pid, entry.shellCmdline)) return false;
    entry.shellCmdline = null;
  }
  const state = treeState(entry.pid, 0);
  if (state !== 'settling') entry.settlingSince = null;
  if (state === 'quiet') return true;
  if (state === 'busy') return false;
  entry.settlingSince ??= now;
  return now - entry.settlingSince >= SETTLE_MS;
}

/** Its command line is no longer the shell's. */
function execed(pid: number, shellCmdline: Buffer): boolean {
  const cmdline = readRawCmdline(pid);
  return cmdline !== null && cmdline.length > 0 && !cmdline.equals(shellCmdline);
}

/** The process and its descendants: busy if any is, else settling if any is. */
function treeState(pid: number, depth: number): TreeState {
  const stat = readStat(pid);
  // A descendant's zombie runs nothing, though a parent that never reaps keeps it forever; but a shell about to
  // reap one may be about to exit with its failure: only a quiet spell counts. Not one whose main thread exited
  // while others still run: that process is on its way out.
  if (depth > 0 && stat?.state === 'Z' && stat.threads <= 1) return 'settling';
  // Gone or exiting: the leader's exit is raced with this wait; a child's ends its parent's turn soon.
  if (stat === null || stat.state !== 'S' || depth > MAX_DEPTH) return 'busy';
  const tids = stat.threads > 1 ? threadIds(pid) : [pid];
  let state = tids.length > 1 ? threadsState(pid, tids) : waitState(pid, pid);
  if (state === 'busy') return 'busy';
  for (const tid of tids) {
    for (const child of childrenOf(pid, tid)) {
      const childState = treeState(child, depth + 1);
      if (childState === 'busy') return 'busy';
      if (childState === 'settling') state = 'settling';
    }
  }
  return state;
}

/** One blocked thread: quiet in a wait for the world, busy on a futex, settling when the kernel does not say. */
function waitState(pid: number, tid: number): TreeState {
  const channel = readWaitChannel(pid, tid)?.trim() ?? '';
  if (channel.includes('futex')) return 'busy';
  // Not shown (a kernel without it, or the thread woke or ended as it was read): only a quiet spell counts.
  return channel === '0' || channel === '' ? 'settling' : 'quiet';
}

/** Every thread blocked (the main one is, its caller read), one of them waiting for the world; settling at best (it may still be loading). */
function threadsState(pid: number, tids: number[]): TreeState {
  let waitsForWorld = false;
  for (const tid of tids) {
    if (tid !== pid && readThreadStat(pid, tid)?.state !== 'S') return 'busy';
    waitsForWorld ||= waitState(pid, tid) !== 'busy';
  }
  return waitsForWorld ? 'settling' : 'busy';
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
