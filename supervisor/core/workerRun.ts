/**
 * One run of a worker's process up to the end of its start-up: port check,
 * spawn, then readiness (probe) or survival of a short start-up window.
 * Kept apart from Worker so the state machine there stays readable.
 */
import type { LogLine } from '../../shared/protocol';
import type { WorkerSpec } from '../config/model';
import type { Guardian } from '../process/guardian';
import { spawnProcess, type OutputStream, type ProcessExit, type SpawnedProcess } from '../process/spawn';
import type { LogBuffer } from './logBuffer';
import { findPortProblem } from './portCheck';
import { waitUntilReady } from './probes';
import type { StartOutcome } from './workerPort';

export interface Run {
  proc: SpawnedProcess;
  /** Epoch ms of the spawn. */
  startedAt: number;
  /** Log position before the spawn: this run's lines are `logs.from(mark)`. */
  mark: number;
}

export interface RunContext {
  env: Record<string, string>;
  guardian: Guardian;
  logs: LogBuffer;
  /** Aborted when the worker is asked to stop: every wait ends at once. */
  signal: AbortSignal;
  startupWindowMs: number;
  /** Output lines in blocks, as spawn.ts `SpawnOptions.onLines` delivers them (and may pause them). */
  onLines(stream: OutputStream, parts: readonly Buffer[], count: number, time: number): Promise<void> | undefined;
  /** Called as soon as the process exists, before readiness. */
  onSpawned(run: Run): void;
}

/** How many output lines a start-up failure quotes. */
const QUOTED_LINES = 3;

/**
 * Resolves ok once the run is ready; otherwise with the reason, after the
 * run (if it was spawned) has been stopped. Never throws.
 */
export async function launchRun(spec: WorkerSpec, context: RunContext): Promise<StartOutcome> {
  const portProblem = await findPortProblem(spec.ports);
  if (portProblem) return { ok: false, ...portProblem };
  if (context.signal.aborted) return { ok: false, reason: 'stopped' };
  const mark = context.logs.mark();
  let proc: SpawnedProcess;
  try {
    proc = await spawnProcess({ command: spec.command, cwd: spec.cwd, env: context.env, onLines: context.onLines, leftovers: spec.stop, guardian: context.guardian });
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const run: Run = { proc, startedAt: Date.now(), mark };
  context.onSpawned(run);
  const outcome = await awaitStartup(spec, run, context);
  if (!outcome.ok && !context.signal.aborted) await proc.stop(spec.stop.signal, spec.stop.timeoutMs);
  return outcome;
}

async function awaitStartup(spec: WorkerSpec, run: Run, context: RunContext): Promise<StartOutcome> {
  const done = new AbortController();
  const signal = AbortSignal.any([context.signal, done.signal]);
  const exited = run.proc.exited.then((exit) => ({ exit }));
  const readiness = (spec.ready ? probe(spec, run, context, signal) : survive(run, context.startupWindowMs, signal)).then((result) => ({ result }));
  const first = await Promise.race([exited, readiness]);
  done.abort();
  if ('result' in first) return first.result;
  // Without a probe, a command that finished cleanly at once is a done one-shot, not a failure.
  if (!spec.ready && first.exit.status === 0) return { ok: true };
  const leftovers = describeLeftovers(first.exit);
  return { ok: false, reason: `${describeExit(first.exit)} during start-up${quoteOutput(context.logs.from(run.mark))}${leftovers ? `; ${leftovers}` : ''}` };
}

function probe(spec: WorkerSpec, run: Run, context: RunContext, signal: AbortSignal): Promise<StartOutcome> {
  return waitUntilReady(spec.ready!, {
    cwd: spec.cwd,
    env: context.env,
    guardian: context.guardian,
    signal,
    output: { backlog: () => context.logs.from(run.mark), subscribe: (listener) => context.logs.subscribe(listener) },
  });
}

/** Without a probe: started once past its immediate start (an exit before that wins the race in awaitStartup). */
async function survive(run: Run, windowMs: number, signal: AbortSignal): Promise<StartOutcome> {
  return (await run.proc.pastImmediateStart(windowMs, signal)) === 'aborted' ? { ok: false, reason: 'stopped' } : { ok: true };
}

export function describeExit(exit: ProcessExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/** Commands longer than this are cut in the line about leftovers. */
const LEFTOVER_COMMAND_CHARS = 80;

/**
 * The line saying what the exited program had left running and Steward
 * stopped (a daemon it started in the background, a child it did not wait
 * for), or undefined when it left nothing: that is never done in silence.
 */
export function describeLeftovers(exit: ProcessExit): string | undefined {
  const { leftovers } = exit;
  if (leftovers.length === 0) return undefined;
  const cut = (command: string) => (command.length > LEFTOVER_COMMAND_CHARS ? `${command.slice(0, LEFTOVER_COMMAND_CHARS - 1)}…` : command);
  const listed = leftovers.map(({ pid, command }) => (command ? `pid ${pid} (${cut(command)})` : `pid ${pid}`)).join(', ');
  const what = leftovers.length === 1 ? 'the process' : `the ${leftovers.length} processes`;
  return `stopped ${what} it left running: ${listed} — a worker's processes end with its program; run a daemon in the foreground (no \`&\`, no setsid) to keep it supervised`;
}

/**
 * Lines that say nothing about why: stack frames ("    at main (app.js:3:9)"),
 * Node's closing version line and the caret under the failing source line.
 */
const NOISE = /^\s+at\s|^Node\.js v\d|^\s*\^+\s*$/;
/** "Error: Cannot find module …", "TypeError [ERR_X]: …", Python's "ModuleNotFoundError: …". */
const ERROR_LINE = /^(\w+\.)*\w*(Error|Exception)\b/;

/** The last lines, ending at the last error message when there is one (Node prints the error's properties after it). */
function quoteOutput(lines: LogLine[]): string {
  const said = lines.filter((line) => line.stream !== 'system' && line.text.trim() !== '' && !NOISE.test(line.text));
  const errorAt = said.map((line) => ERROR_LINE.test(line.text)).lastIndexOf(true);
  const quoted = said.slice(0, errorAt === -1 ? said.length : errorAt + 1).slice(-QUOTED_LINES);
  return quoted.length === 0 ? '' : `; last output: ${quoted.map((line) => line.text).join(' | ')}`;
}
