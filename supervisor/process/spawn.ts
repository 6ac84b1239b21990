/**
 * Spawning a worker's command line: the program itself or `sh -c`, its own process group, output
 * split into timestamped blocks of lines. The only place (with stop.ts) that starts OS
 * processes; POSIX only for now — a Windows variant would live behind the
 * same `spawnProcess` signature.
 */
import { statSync } from 'node:fs';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import { plainArgv, shellScript } from './commandLine';
import { groupEnded, groupStarted, newRunToken, type PidBirth, RUN_TOKEN_VAR, stopEscaped, sweepLater } from './escaped';
import type { Guardian } from './guardian';
import { LineSplitter } from './lines';
import { forgetScan, groupMembers, type LeftProcess, leftProcess, readForkCount, readStat } from './procfs';
import { awaitImmediateStart, shellCmdlineOf, type StartupVerdict, type StartupWatch } from './startup';
import { signalGroup, stopGroup, type StopResult } from './stop';

export type OutputStream = 'stdout' | 'stderr';

export interface SpawnOptions {
  command: string;
  /** Absolute; must exist. */
  cwd: string;
  /** The complete environment (see env.ts `workerEnv`). */
  env: Record<string, string>;
  /**
   * Every output line, in order per stream, all delivered before `exited`
   * resolves — in blocks: `parts` hold `count` complete lines joined by
   * '\n' (the lines of one read of the pipe; see lines.ts LineBlockSink and
   * `decodeLines`), read at `time` (epoch ms). Copy what is kept beyond the call.
   * Flow control: a returned promise pauses reading that stream until it
   * resolves (the process blocks on a full pipe meanwhile); once the
   * process has exited, its remaining output is read regardless.
   */
  onLines(stream: OutputStream, parts: readonly Buffer[], count: number, time: number): Promise<void> | undefined | void;
  /** How to stop group members still running after the leader exited. */
  leftovers: { signal: NodeJS.Signals; timeoutMs: number };
  /** Guards the group while it exists (no orphans if the master dies). */
  guardian?: Guardian;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Shell-style status: the exit code, or 128 + signal number. */
  status: number;
  /**
   * What the program left running when it exited (its group's members, or
   * processes that escaped the group with its run token), found and
   * stopped once the program was gone.
   */
  leftovers: LeftProcess[];
}

export interface SpawnedProcess {
  /** The program's own pid for a simple command (see commandLine.ts); also its pgid. */
  readonly pid: number;
  readonly pgid: number;
  /** /proc start time in clock ticks (0 when unreadable). */
  readonly startTime: number;
  /**
   * Resolves once the leader exited, the rest of its group is gone and every
   * output line was delivered to `onLines`. Never rejects.
   */
  readonly exited: Promise<ProcessExit>;
  /** Signal to the group → timeout → SIGKILL; resolves when the group is gone. */
  stop(signal: NodeJS.Signals, timeoutMs: number): Promise<StopResult>;
  /**
   * Resolves once the program is past its immediate start (startup.ts): as
   * soon as its process tree went quiet, at the latest after `windowMs`. It
   * does not watch for an exit: race it with `exited`.
   */
  pastImmediateStart(windowMs: number, signal: AbortSignal): Promise<StartupVerdict>;
}

/** The command could not be started at all (bad cwd, no `sh`, …). */
export class SpawnError extends Error {}

/** How long output may still arrive after the group is gone (a daemonised process outside it may hold the pipe). */
const OUTPUT_GRACE_MS = 300;

// execa 9 is ESM-only and this package is CommonJS: load it with import().
type ExecaModule = typeof import('execa', { with: { 'resolution-mode': 'import' } });
let execaModule: Promise<ExecaModule> | undefined;
const loadExeca = () => (execaModule ??= import('execa'));

export async function spawnProcess(options: SpawnOptions): Promise<SpawnedProcess> {
  checkCwd(options.cwd);
  const runToken = options.guardian ? await options.guardian.runToken() : newRunToken();
  // A plain command's file without a `#!` line still runs: the spawn's execvp hands it to sh, as `sh -c` would.
  const argv = plainArgv(options.command);
  const script = shellScript(options.command);
  const { execa } = await loadExeca();
  const forksBefore = readForkCount();
  const child = execa(argv?.[0] ?? 'sh', argv?.slice(1) ?? ['-c', script], {
    cwd: options.cwd,
    // PWD as sh sets it on start: a program spawned directly would otherwise see the master's.
    env: { ...options.env, PWD: options.cwd, [RUN_TOKEN_VAR]: runToken },
    extendEnv: false,
    detached: true,
    cleanup: false,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    encoding: 'buffer',
  });
  forgetScan();
  const pid = child.pid;
  if (pid === undefined) {
    options.guardian?.forget(runToken);
    const result = await child;
    throw new SpawnError(`cannot start \`${options.command}\`: ${argv ? programProblem(argv[0], result.code) : result.shortMessage}`);
  }
  void child.then(undefined, () => undefined);
  const startTime = readStat(pid)?.startTime ?? 0;
  groupStarted(pid);
  options.guardian?.watch({ pid, pgid: pid, startTime, command: options.command, runToken });
  const leaderExit = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (code, signal) => resolve([code, signal])),
  );
  const output = [pump(child.stdout, 'stdout', options, leaderExit), pump(child.stderr, 'stderr', options, leaderExit)];
  const born = forksBefore === null ? undefined : { pid, forksBefore };
  const exited = finish({ pgid: pid, runToken, startTime, born }, leaderExit, output, [child.stdout, child.stderr], options);
  const stop = (signal: NodeJS.Signals, timeoutMs: number) => stopGroup(pid, signal, timeoutMs, leaderExit);
  const watch: StartupWatch = argv ? { pid, launch: 'program' } : script === options.command ? { pid, launch: 'shell' } : { pid, launch: 'exec', shellCmdline: shellCmdlineOf(script) };
  const pastImmediateStart = (windowMs: number, signal: AbortSignal) => awaitImmediateStart(watch, windowMs, signal);
  return { pid, pgid: pid, startTime, exited, stop, pastImmediateStart };
}

/** Why a program spawned directly did not start, as sh would say it. */
function programProblem(program: string, code: string | undefined): string {
  if (code === 'ENOENT') return `${program}: not found${program.includes('/') ? '' : ' on the PATH of the worker'}`;
  if (code === 'EACCES') return `${program}: permission denied (not executable, or a directory)`;
  return `${program}: ${code ?? 'spawn failed'}`;
}

function checkCwd(cwd: string): void {
  let isDirectory = false;
  try {
    isDirectory = statSync(cwd).isDirectory();
  } catch {
    throw new SpawnError(`working directory ${cwd} does not exist`);
  }
  if (!isDirectory) throw new SpawnError(`working directory ${cwd} is not a directory`);
}

/** Feeds a stream into a line splitter, paused while `onLines` asks; resolves after its last line was delivered. */
function pump(stream: Readable | null, name: OutputStream, options: SpawnOptions, leaderExit: Promise<unknown>): Promise<void> {
  if (!stream) return Promise.resolve();
  let time = Date.now();
  let hold: Promise<void> | undefined | void;
  let exited = false;
  const splitter = new LineSplitter((parts, count) => {
    hold = options.onLines(name, parts, count, time) ?? hold;
  });
  void leaderExit.then(() => {
    exited = true;
    stream.resume();
  });
  stream.on('data', (chunk: Buffer) => {
    time = Date.now();
    splitter.push(chunk);
    if (hold && !exited) {
      stream.pause();
      void hold.then(() => stream.resume());
    }
    hold = undefined;
  });
  return new Promise((resolve) => {
    const done = () => {
      splitter.end();
      resolve();
    };
    stream.once('close', done);
    stream.once('error', () => undefined);
  });
}

async function finish(
  { pgid, runToken, startTime, born }: { pgid: number; runToken: string; startTime: number; born?: PidBirth },
  leaderExit: Promise<[number | null, NodeJS.Signals | null]>,
  output: Promise<void>[],
  streams: (Readable | null)[],
  options: SpawnOptions,
): Promise<ProcessExit> {
  const [code, signal] = await leaderExit;
  // Only when the group outlived its leader (zombies hold it too): a scan of /proc, not on every exit.
  const inGroup = signalGroup(pgid, 0) ? groupMembers(pgid).map(({ pid }) => leftProcess(pid)) : [];
  await stopGroup(pgid, options.leftovers.signal, options.leftovers.timeoutMs);
  groupEnded(pgid);
  const escaped = await stopEscaped(runToken, options.leftovers.signal, options.leftovers.timeoutMs, startTime, born);
  const drained = Promise.all(output);
  const timer = new Promise((resolve) => setTimeout(resolve, OUTPUT_GRACE_MS).unref());
  await Promise.race([drained, timer]);
  for (const stream of streams) stream?.destroy();
  await drained;
  if (born) {
    // The group is gone; its token stays listed until the full pass owed after the filtered one.
    options.guardian?.unwatch(pgid, { keepToken: true });
    const { signal, timeoutMs } = options.leftovers;
    void sweepLater(runToken, signal, timeoutMs, startTime).then(() => options.guardian?.forget(runToken));
  } else {
    options.guardian?.unwatch(pgid);
  }
  return { code, signal, status: code ?? 128 + signalNumber(signal), leftovers: [...inGroup, ...escaped] };
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? constants.signals[signal] : 0;
}
