/**
 * One instance of a WorkerSpec in one generation: starts its process, waits
 * for readiness, restarts it by policy with backoff, stops its whole group.
 * All OS work goes through supervisor/process; all state writes through
 * `setState`, which validates the move and tells the master (`onChange`).
 */
import type { LogLine, WorkerState, WorkerStatus } from '../../shared/protocol';
import type { WorkerSpec } from '../config/model';
import { workerEnv } from '../process/env';
import type { Guardian } from '../process/guardian';
import type { OutputStream, ProcessExit } from '../process/spawn';
import { Backoff, cancellableDelay, shouldRestart, type BackoffPolicy } from './backoff';
import { LogBuffer, type LogEntry } from './logBuffer';
import { formatDuration } from './probes';
import { canMove, isSettled } from './workerState';
import { describeExit, describeLeftovers, launchRun, type Run } from './workerRun';
import { type ManagedWorker, type StartOutcome, STOPPED_ON_REQUEST } from './workerPort';

export interface WorkerHooks {
  /** After every state change (and pid / restart-count change). */
  onChange(worker: Worker): void;
  /** Every block of output lines and every line Steward says about the worker (`system`), once appended to `logs`. */
  onLog(logs: LogBuffer, entry: LogEntry): void;
  guardian: Guardian;
  /** When the worker reached `exited` or `failed` on its own and will not restart by itself. */
  onExit?(worker: Worker): void;
}

export interface WorkerOptions {
  backoff?: BackoffPolicy;
  /** Without a probe, start() succeeds once the process tree went quiet, or survived this long. */
  startupWindowMs?: number;
  /** The environment workers inherit (default: the master's). */
  baseEnv?: NodeJS.ProcessEnv;
}

/**
 * The longest a reload waits for a probe-less worker's process tree to go
 * quiet (process/startup.ts) before it counts as started anyway. A tree
 * goes quiet once its programs are past their start — `sleep` in about a
 * millisecond, a Node server in 60–150 ms — so this bounds only programs
 * that stay busy (a dev server compiling for seconds) or whose main thread
 * only ever waits on its own threads. It is as long as supervisord's
 * `startsecs` default, so a script that crashes while it loads on a
 * loaded machine is still caught; later crashes are the restart policy's
 * business.
 */
export const STARTUP_WINDOW_MS = 1_000;

const STOPPED: StartOutcome = { ok: false, reason: 'stopped on request during start-up', stopped: true };

export class Worker implements ManagedWorker {
  readonly logs: LogBuffer;
  /** Settable by the master when it carries an unchanged worker into a new generation. */
  generation: number;
  /** Set by the master for a worker of an older generation that is still stopping. */
  draining = false;
  private state: WorkerState = 'starting';
  private reason: string | undefined = 'not started yet';
  private restarts = 0;
  private exitCode: number | null = null;
  private run: Run | null = null;
  private stoppingPid: number | null = null;
  private launching: Promise<StartOutcome> | null = null;
  private stopping: Promise<void> | null = null;
  private lifecycle = new AbortController();
  private readonly backoff: Backoff;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly spec: WorkerSpec,
    readonly instance: number,
    generation: number,
    private readonly hooks: WorkerHooks,
    private readonly options: WorkerOptions = {},
  ) {
    this.generation = generation;
    this.logs = new LogBuffer(spec.name, instance);
    this.backoff = new Backoff(options.backoff);
  }

  /** Starts the process; resolves once ready (or survived start-up without a probe). Never throws. */
  async start(): Promise<StartOutcome> {
    if (this.stopping) await this.stopping;
    if (this.launching) return this.launching;
    if (this.state === 'running' || this.state === 'ready') return { ok: true };
    if (this.state === 'backoff') this.lifecycle.abort();
    this.lifecycle = new AbortController();
    this.backoff.reset();
    return this.launch(false);
  }

  /** Signal to the group → timeout → SIGKILL; no restart afterwards. Idempotent; resolves when the group is gone. */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    if (isSettled(this.state) && !this.launching) return Promise.resolve();
    this.lifecycle.abort();
    this.setState('stopping', 'stopping');
    this.stopping = this.shutdown().finally(() => {
      this.stopping = null;
    });
    return this.stopping;
  }

  async restart(mayStart: () => boolean = () => true): Promise<StartOutcome> {
    await this.stop();
    if (!mayStart()) return STOPPED;
    this.restarts += 1;
    return this.start();
  }

  block(reason: string): void {
    if (this.state === 'starting' && !this.launching && !this.run) this.settle('failed', reason);
  }

  /**
   * Resolves when the worker is `started` (past its start-up check) or `ready`
   * (probe passed; a worker without a probe is ready once running), or with
   * ok: false once it has exited or failed instead.
   */
  whenState(condition: 'started' | 'ready'): Promise<StartOutcome> {
    return new Promise((resolve) => {
      const check = () => {
        const outcome = this.conditionOutcome(condition);
        if (!outcome) return;
        this.waiters.delete(check);
        resolve(outcome);
      };
      this.waiters.add(check);
      check();
    });
  }

  status(): WorkerStatus {
    const run = this.run;
    return {
      name: this.spec.name,
      instance: this.instance,
      pid: run?.proc.pid ?? this.stoppingPid,
      generation: this.generation,
      state: this.state,
      restarts: this.restarts,
      exitCode: this.exitCode,
      ports: [...this.spec.ports],
      startedAt: run?.startedAt ?? null,
      ...(this.reason !== undefined && { reason: this.reason }),
      ...(this.draining && { draining: true }),
      line: this.spec.line,
    };
  }

  recentLogs(limit: number): LogLine[] {
    return this.logs.tail(limit);
  }

  /** One run: spawn, then wait for readiness. A failed restart attempt counts as a crash. */
  private launch(isRestart: boolean): Promise<StartOutcome> {
    const launching = this.launchOnce(isRestart)
      .catch((error: unknown): StartOutcome => ({ ok: false, reason: this.internalError(error) }))
      .finally(() => {
        if (this.launching === launching) this.launching = null;
      });
    this.launching = launching;
    return launching;
  }

  private async launchOnce(isRestart: boolean): Promise<StartOutcome> {
    this.exitCode = null;
    this.setState('starting', isRestart ? `restarting (attempt ${this.restarts})` : 'starting');
    const attempt = await launchRun(this.spec, {
      env: workerEnv(this.options.baseEnv ?? process.env, this.spec.env, { worker: this.spec.name, instance: this.instance }),
      guardian: this.hooks.guardian,
      logs: this.logs,
      signal: this.lifecycle.signal,
      startupWindowMs: this.options.startupWindowMs ?? STARTUP_WINDOW_MS,
      onLines: (stream, parts, count, time) => this.record(stream, parts, count, time),
      onSpawned: (run) => this.spawned(run),
    });
    if (this.lifecycle.signal.aborted) return STOPPED;
    if (!attempt.ok) return this.startupFailed(attempt, isRestart);
    this.setState(this.spec.ready ? 'ready' : 'running');
    const run = this.run!;
    this.say(this.spec.ready ? `ready (pid ${run.proc.pid})` : `running (pid ${run.proc.pid})`);
    void run.proc.exited.then((exit) => this.afterExit(run, exit)).catch((error: unknown) => this.internalError(error));
    return { ok: true };
  }

  private spawned(run: Run): void {
    this.run = run;
    this.say(`started \`${this.spec.command}\` (pid ${run.proc.pid})`);
    if (this.lifecycle.signal.aborted) return;
    // `running` only once past its start-up check: a dependent waiting for it to be started must not go ahead of a crash.
    this.setState('starting', this.spec.ready ? `waiting for ${this.spec.ready.kind} readiness` : 'waiting for its start-up to settle');
  }

  /** The start-up did not succeed; the run (if any) is already stopped by launchRun. */
  private async startupFailed(failure: StartOutcome & { ok: false }, isRestart: boolean): Promise<StartOutcome> {
    const { reason } = failure;
    const run = this.run;
    this.run = null;
    if (run) this.exitCode = (await run.proc.exited).status;
    if (this.lifecycle.signal.aborted) return STOPPED;
    this.say(`start-up failed: ${reason}`);
    if (isRestart) await this.handleEnd(run?.startedAt ?? Date.now(), reason);
    else this.settle('failed', reason);
    return failure;
  }

  /** The process ended on its own after a successful start. */
  private async afterExit(run: Run, exit: ProcessExit): Promise<void> {
    if (this.run !== run || this.lifecycle.signal.aborted) return;
    this.run = null;
    this.exitCode = exit.status;
    const how = describeExit(exit);
    this.say(how);
    const leftovers = describeLeftovers(exit);
    if (leftovers) this.say(leftovers);
    if (!shouldRestart(this.spec.restart, exit)) return this.settle('exited', how);
    await this.handleEnd(run.startedAt, how);
  }

  /** Crash handling: give up after too many fast crashes, else back off and launch again. */
  private async handleEnd(startedAt: number, how: string): Promise<void> {
    if (this.lifecycle.signal.aborted) return;
    const decision = this.backoff.next(Date.now() - startedAt);
    if (decision.giveUp) {
      const window = formatDuration(this.backoff.stableMs);
      const reason = `crashed ${decision.crashes} times in a row, each within ${window} of starting (last: ${how})`;
      this.say(`not restarting again: ${reason}; a reload or \`steward restart\` tries again`);
      return this.settle('failed', reason);
    }
    this.setState('backoff', `${how}; restarting in ${formatDuration(decision.delayMs)}`);
    this.say(`restarting in ${formatDuration(decision.delayMs)}`);
    if (!(await cancellableDelay(decision.delayMs, this.lifecycle.signal))) return;
    this.restarts += 1;
    await this.launch(true);
  }

  private async shutdown(): Promise<void> {
    if (this.launching) await this.launching;
    const run = this.run;
    this.run = null;
    if (run) {
      // Still shown while its group stops (up to the stop timeout): the process is there, and may hold a port.
      this.stoppingPid = run.proc.pid;
      const { killed } = await run.proc.stop(this.spec.stop.signal, this.spec.stop.timeoutMs);
      const exit = await run.proc.exited;
      this.stoppingPid = null;
      this.exitCode = exit.status;
      this.say(`stopped${killed ? ` (SIGKILL after ${formatDuration(this.spec.stop.timeoutMs)})` : ''}: ${describeExit(exit)}`);
    }
    this.setState('exited', STOPPED_ON_REQUEST);
  }

  private settle(state: 'exited' | 'failed', reason: string): void {
    this.setState(state, reason);
    this.hooks.onExit?.(this);
  }

  private conditionOutcome(condition: 'started' | 'ready'): StartOutcome | undefined {
    const state = this.state;
    if (state === 'ready' || (state === 'running' && (condition === 'started' || !this.spec.ready))) return { ok: true };
    // As depends_on reads it (applyPlan.ts): a worker with a probe is started once spawned, one without once running.
    if (condition === 'started' && state === 'starting' && this.run && this.spec.ready) return { ok: true };
    if (isSettled(state) && !this.launching) {
      return { ok: false, reason: `${this.spec.name} ${state}: ${this.reason ?? 'no reason'}` };
    }
    return undefined;
  }

  /** The only place the state changes; the reason is replaced (or cleared when omitted). */
  private setState(next: WorkerState, reason?: string): void {
    if (!canMove(this.state, next)) throw new Error(`worker ${this.spec.name}: invalid state change ${this.state} → ${next}`);
    this.state = next;
    this.reason = reason;
    this.hooks.onChange(this);
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Appends to the ring and tells the master; the promise, when a follower holds the ring, pauses the pipe (flow control). */
  private record(stream: OutputStream | 'system', parts: readonly Buffer[], count: number, time: number): Promise<void> | undefined {
    this.hooks.onLog(this.logs, this.logs.append(stream, parts, count, time));
    return this.logs.held;
  }

  private say(text: string): void {
    this.record('system', [Buffer.from(text)], text.split('\n').length, Date.now());
  }

  /** A bug must not take the master down: it is logged and reported as the reason. */
  private internalError(error: unknown): string {
    const reason = `internal error: ${error instanceof Error ? error.message : String(error)}`;
    this.say(reason);
    return reason;
  }
}
