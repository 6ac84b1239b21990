/**
 * The master: one per workspace. It owns the live workers (a WorkerTable),
 * the state machine (running ⇄ reloading → wait, stopping), generations,
 * the reload counters and the last reload's result. Reloads go through a
 * coalescing queue and run as transactions (reloadTransaction.ts); per-worker
 * control and reloads run one at a time (operationQueue.ts) — except a stop,
 * which does not wait for an operation that is not itself stopping that
 * worker (stopWorker). Every failure of a reload, including
 * an exception thrown by our own code, ends in wait mode — never in an exit.
 *
 * No LSP or socket knowledge here: the server and the CLI observe the master
 * through `onChange` / `onLog` / `onReload` and call its methods.
 */
import { EventEmitter } from 'node:events';
import type { LogLine, LogsParams, MasterState, ReloadParams, ReloadPlan, ReloadResult, StatusSnapshot, WorkerParams, WorkerStatus } from '../../shared/protocol';
import type { StewardConfig, WorkerSpec } from '../config/model';
import { type ApplyContext, instanceName, type StartItem, startInDependencyOrder, stopInReverseDependencyOrder } from './applyPlan';
import { startItemsWithDependencies } from './dependencyStarts';
import { notStartedWorkers } from './notStarted';
import { type ConfigRead, type ConfigReader, readConfig as readConfigFile, warmUpCheck } from './configSource';
import { canTransition, IllegalTransitionError, ShuttingDownError, StartBlockedError, UnknownWorkerError, unknownWorkerHint, UntrustedWorkspaceError } from './masterState';
import { OperationQueue } from './operationQueue';
import { type QueuedReload, ReloadQueue } from './reloadQueue';
import { planReload, summarizePlan } from './plan';
import { readUnlessUnchanged, runningInstances, runReloadTransaction, type TransactionOutcome } from './reloadTransaction';
import type { LogBuffer, LogEntry } from './logBuffer';
import { WaitingStarts } from './waitingStarts';
import { hasEnded, isUp, STOPPED_ON_REQUEST, type ManagedWorker, type WorkerFactory } from './workerPort';
import { WorkerTable } from './workerTable';
import { AllEndedWatch } from './allEnded';
import { waitForCondition } from './conditionWait';

export interface MasterOptions {
  configFile: string;
  createWorker: WorkerFactory;
  readConfig?: ConfigReader;
  /** False in an untrusted workspace: reloads validate and plan, but run no worker command. */
  workersEnabled?: boolean;
}

export class Master {
  private readonly emitter = new EventEmitter();
  private state: MasterState = 'reloading';
  /** The last good generation (0 before the first good load). */
  private generation = 0;
  /** The highest generation number handed to a reload attempt. */
  private attempted = 0;
  private reloads = 0;
  private failedReloads = 0;
  private lastReload: ReloadResult | null = null;
  private lastRead: ConfigRead | null = null;
  private applied: StewardConfig | null = null;
  /** Untrusted master: the last valid config, listed as not started. */
  private notStarted: StewardConfig | null = null;
  private readonly table = new WorkerTable();
  private readonly queue = new ReloadQueue((request) => this.executeReload(request));
  private readonly ended = new AllEndedWatch();
  private readonly waitingStarts = new WaitingStarts();
  private readonly operations = new OperationQueue();
  private stopping: Promise<number> | null = null;
  private readonly startedAt = Date.now();
  private readonly readConfig: ConfigReader;

  constructor(private readonly options: MasterOptions) {
    this.readConfig = options.readConfig ?? readConfigFile;
    this.emitter.setMaxListeners(0);
  }

  get configFile(): string {
    return this.options.configFile;
  }

  /** The first load (trigger `startup`). Not counted as a reload. */
  async start(): Promise<ReloadResult> {
    const result = await this.queue.request({ all: false, trigger: 'startup' });
    const text = this.lastRead?.text;
    if (text) setImmediate(() => warmUpCheck(text, this.options.configFile));
    return result;
  }

  reload(params: ReloadParams = {}): Promise<ReloadResult> {
    if (this.state === 'stopping') return Promise.reject(new ShuttingDownError());
    const trigger = params.trigger ?? 'rpc';
    if (params.dryRun) return this.dryRun(params.all ?? false, trigger);
    return this.queue.request({ all: params.all ?? false, trigger });
  }

  /** How many reloads actually executed (coalesced requests count once). */
  get executedReloads(): number {
    return this.queue.executedCount;
  }

  status(): StatusSnapshot {
    const envFiles = this.envFiles();
    return {
      pid: process.pid,
      state: this.state,
      generation: this.generation,
      config: this.options.configFile,
      reloads: this.reloads,
      failedReloads: this.failedReloads,
      lastReload: this.lastReload,
      workers: this.options.workersEnabled === false ? notStartedWorkers(this.notStarted, this.generation) : this.sortedWorkers(),
      startedAt: this.startedAt,
      workersEnabled: this.options.workersEnabled !== false,
      ...(envFiles.length > 0 && { envFiles }),
    };
  }

  /** The running config's env files and the ones the last read names, readable or not (creating a missing one reloads). */
  envFiles(): string[] {
    const read = this.lastRead;
    const named = read?.ok ? Object.keys(read.config.envFiles ?? {}) : (read?.envFiles ?? []);
    return [...new Set([...Object.keys(this.applied?.envFiles ?? {}), ...named])];
  }

  /**
   * What a reload to `config` would do to the running workers now — read-only,
   * for previews of text that is not saved (the editor's reload-plan lens).
   */
  previewPlan(config: StewardConfig): ReloadPlan {
    return summarizePlan(planReload(runningInstances(this.applyContext()), config.workers));
  }

  /** The last read of the config file (for diagnostics), null before the first. */
  lastConfigRead(): ConfigRead | null {
    return this.lastRead;
  }

  /** Starts the worker's instances after the dependencies they need (dependencyStarts.ts); their statuses, dependencies first. */
  startWorker(params: WorkerParams): Promise<WorkerStatus[]> {
    return this.operations.runFor(params.name, async () => {
      const targets = this.selected(params);
      if (targets.every((worker) => isUp(worker.status()))) return targets.map((worker) => this.describe(worker));
      const items = startItemsWithDependencies(targets, this.table);
      for (const item of items) this.ended.forgetRequestedStop(item.worker);
      // Once a dependency fails (or is stopped), or every instance of the worker has, it will not start: the answer need
      // not wait for the other starts, which are stopped. The worker's own other instances go on.
      const own = (item: StartItem) => item.spec.name === params.name;
      let ownLeft = items.filter(own).length;
      const endsAll = (item: StartItem) => !own(item) || --ownLeft === 0;
      const failures = await startInDependencyOrder(items, this.applyContext(), { failFast: { endsAll, spares: own } });
      const notStarted = failures.find((failure) => (failure.blocked || failure.stopped) && own(failure.item));
      if (notStarted) {
        // The items are the worker and its dependencies: a start that failed by itself among them is the cause.
        const cause = failures.find((failure) => !failure.blocked) ?? notStarted;
        throw new StartBlockedError(params.name, notStarted.reason, cause.item.spec.name, 'started', instanceName(notStarted.item));
      }
      return items.map((item) => this.describe(item.worker));
    });
  }

  stopWorker(params: WorkerParams): Promise<WorkerStatus[]> {
    const stop = async (worker: ManagedWorker): Promise<void> => {
      this.ended.noteRequestedStop(worker);
      await worker.stop();
    };
    if (this.state === 'stopping') return this.control(params, stop);
    // Not queued behind the running operation, which may wait a minute for a probe — often this very worker's, or
    // a migration it waits to complete, when the stop is the user's one way to end that wait. Only a worker being
    // stopped (or replaced) by that operation is left to it first, one it has not created yet, and one a start or
    // restart asked for before this stop is still queued for.
    if (this.waitingStarts.isWaiting(params.name)) return this.stopWaiting(params, stop);
    const instances = this.table.instancesOf(params.name);
    if (instances.some((worker) => worker.status().state === 'starting')) return this.controlNow(params, stop);
    const leftToOperation = instances.length === 0 || this.operations.hasFor(params.name) || instances.some((worker) => worker.draining || worker.status().state === 'stopping');
    return leftToOperation ? this.control(params, stop) : this.controlNow(params, stop);
  }

  /** Its wait for its dependencies ends (applyPlan.ts: it is stopped, not started), and what exists of it is stopped. */
  private async stopWaiting(params: WorkerParams, stop: (worker: ManagedWorker) => Promise<void>): Promise<WorkerStatus[]> {
    const listed = this.waitingStarts.statuses(() => false).filter((status) => status.name === params.name);
    await this.waitingStarts.stop(params.name);
    // A reload that this stop failed may already have removed the instance it had created.
    if (this.table.instancesOf(params.name).length > 0) return this.controlNow(params, stop);
    return listed.map((status) => ({ ...status, state: 'exited', reason: STOPPED_ON_REQUEST }));
  }

  restartWorker(params: WorkerParams): Promise<WorkerStatus[]> {
    // Not running (stopped, failed): restarting it is starting it, after the dependencies it needs.
    const targets = this.table.instancesOf(params.name).filter((worker) => params.instance === undefined || worker.instance === params.instance);
    if (targets.length > 0 && targets.every((worker) => hasEnded(worker.status()))) return this.startWorker(params);
    return this.control(params, async (worker) => {
      // Its stop is ours, not an end: restarting the last running worker must not end the master.
      this.ended.noteRequestedStop(worker);
      const outcome = await worker.restart(() => !this.shuttingDown);
      if (this.shuttingDown) return;
      // Stopped by the user while it started again: it stays a requested stop, and the restart says so.
      if (!outcome.ok && outcome.stopped) throw new StartBlockedError(params.name, outcome.reason, params.name, 'restarted');
      this.ended.forgetRequestedStop(worker);
      this.checkAllEnded(worker);
    });
  }

  /** The last `lines` (default 200; 0 = none) lines, oldest first, interleaved by time across the selected workers. */
  logs(params: LogsParams = {}): LogLine[] {
    const limit = params.lines ?? 200;
    const wanted = params.workers && new Set(params.workers);
    const sources = this.table.logSources(params.worker).filter((worker) => !wanted || wanted.has(worker.spec.name));
    if (params.worker !== undefined && sources.length === 0) {
      throw new UnknownWorkerError(params.worker, unknownWorkerHint(params.worker, this.workerNames(), 'every worker\'s lines are `steward logs` without a name'));
    }
    const merged = sources.flatMap((worker) => worker.recentLogs(limit)).sort((a, b) => a.time - b.time);
    return merged.slice(Math.max(0, merged.length - limit));
  }

  /** Stops every worker (dependents first) and enters the final `stopping` state. Resolves with how many were stopped. */
  shutdown(): Promise<number> {
    this.stopping ??= this.stopEverything();
    return this.stopping;
  }

  /** `kind`: whether the master's own state changed or a worker's. */
  onChange(listener: (kind: 'master' | 'worker') => void): () => void {
    return this.listen('change', listener);
  }

  /** Every block of worker output (and Steward's `system` lines about workers), with the worker's buffer it was appended to. */
  onLog(listener: (logs: LogBuffer, entry: LogEntry) => void): () => void {
    return this.listen('log', listener);
  }

  /** After every executed (not dry-run) reload, including the startup load. */
  onReload(listener: (result: ReloadResult) => void): () => void {
    return this.listen('reload', listener);
  }

  /** Every worker ended on its own and none will restart; the code is the last one's exit status. */
  onAllEnded(listener: (code: number) => void): () => void {
    return this.listen('allEnded', listener);
  }

  private listen<T extends unknown[]>(event: string, listener: (...args: T) => void): () => void {
    const wrapped = listener as (...args: unknown[]) => void;
    this.emitter.on(event, wrapped);
    return () => this.emitter.off(event, wrapped);
  }

  /** A getter, not a state check in place: the state changes under an await, which narrowing does not see. */
  private get shuttingDown(): boolean {
    return this.state === 'stopping';
  }

  private setState(next: MasterState): void {
    if (next === this.state) return;
    if (!canTransition(this.state, next)) throw new IllegalTransitionError(this.state, next);
    this.state = next;
    this.emitter.emit('change', 'master');
  }

  private async executeReload(request: QueuedReload): Promise<ReloadResult> {
    return this.operations.run(async () => {
      if (this.state === 'stopping') throw new ShuttingDownError();
      // Not after a failed reload (wait mode): its cause may be outside the file.
      const mayBeNoOp = this.state === 'running' && !request.all && this.options.workersEnabled !== false;
      this.setState('reloading');
      this.attempted += 1;
      const outcome = await this.transaction(request, false, this.attempted, mayBeNoOp);
      // Cut short by a shutdown (its workers stopped under it): not a failed reload, and there is no wait mode to report.
      if (this.shuttingDown && !outcome.result.ok) throw new ShuttingDownError();
      this.record(outcome, request.trigger);
      return outcome.result;
    });
  }

  private async dryRun(all: boolean, trigger: QueuedReload['trigger']): Promise<ReloadResult> {
    return (await this.transaction({ all, trigger }, true, this.attempted + 1)).result;
  }

  /** Runs the transaction; an exception of ours becomes a failed result (→ wait mode), except the master shutting down meanwhile. */
  private async transaction(request: QueuedReload, dryRun: boolean, generation: number, mayBeNoOp = false): Promise<TransactionOutcome> {
    const startedAt = Date.now();
    try {
      const quick = mayBeNoOp ? await readUnlessUnchanged(this.options.configFile, this.lastRead, this.applyContext()) : { text: undefined };
      const read = 'unchanged' in quick ? quick.unchanged : await this.readConfig(this.options.configFile, quick.text);
      if (!dryRun) this.lastRead = read;
      const validateOnly = dryRun || this.options.workersEnabled === false;
      if (!dryRun && read.ok && this.options.workersEnabled === false) this.notStarted = read.config;
      const checkPorts = this.options.workersEnabled !== false;
      return await runReloadTransaction({ read, all: request.all, dryRun: validateOnly, trigger: request.trigger, generation, context: this.applyContext(), checkPorts });
    } catch (error) {
      // Not a failed reload (there is no wait mode to enter): the caller is told the master is going away.
      if (error instanceof ShuttingDownError) throw error;
      const message = `internal error during reload: ${error instanceof Error ? error.message : String(error)}`;
      const at = new Date().toISOString();
      const located = { message, file: this.options.configFile, line: 1, column: 1 };
      return { result: { ok: false, generation, trigger: request.trigger, durationMs: Date.now() - startedAt, at, error: located } };
    }
  }

  private record(outcome: TransactionOutcome, trigger: QueuedReload['trigger']): void {
    const { result } = outcome;
    if (outcome.applied) this.applied = outcome.applied;
    if (trigger !== 'startup') {
      this.reloads += 1;
      if (!result.ok) this.failedReloads += 1;
    }
    // A start-up with failed workers still runs its generation: there is no older one to stay on.
    if (result.ok || (trigger === 'startup' && outcome.applied)) this.generation = result.generation;
    this.lastReload = result;
    if (this.state !== 'stopping') this.setState(result.ok ? 'running' : 'wait');
    this.emitter.emit('reload', result);
    this.checkAllEnded(undefined);
  }

  private applyContext(): ApplyContext {
    return {
      table: this.table,
      createWorker: (spec, instance, generation) => this.createWorker(spec, instance, generation),
      waitFor: (predicate, timeoutMs) =>
        waitForCondition((listener) => this.onChange(listener), () => this.state !== 'stopping' && predicate(), () => this.state === 'stopping', timeoutMs),
      waitingToStart: (items) => {
        const waiting = this.waitingStarts.add(items);
        this.emitter.emit('change', 'worker');
        const release = () => {
          waiting.release();
          this.emitter.emit('change', 'worker');
        };
        return { release, stopped: waiting.stopped };
      },
    };
  }

  private createWorker(spec: WorkerSpec, instance: number, generation: number): ManagedWorker {
    if (this.state === 'stopping') throw new ShuttingDownError();
    const worker = this.options.createWorker(spec, instance, generation, {
      onChange: (changed) => {
        this.emitter.emit('change', 'worker');
        this.checkAllEnded(changed);
      },
      onLog: (logs, entry) => this.emitter.emit('log', logs, entry),
    });
    return worker;
  }

  /** Not in wait mode: there the master waits for a good reload, whatever became of the workers it keeps. */
  private checkAllEnded(lastChanged: ManagedWorker | undefined): void {
    if (this.state !== 'running') return;
    const code = this.ended.check(this.table.all(), lastChanged);
    if (code !== undefined) this.emitter.emit('allEnded', code);
  }

  private async stopEverything(): Promise<number> {
    this.setState('stopping');
    // Counted: the workers that were still up (or about to restart); one that had exited or failed stops nothing.
    const stopped = new Set<ManagedWorker>();
    const sweep = async (): Promise<void> => {
      const workers = this.table.all();
      workers.filter((worker) => !hasEnded(worker.status())).forEach((worker) => stopped.add(worker));
      await stopInReverseDependencyOrder(workers, this.table);
    };
    await sweep();
    // A reload that was running may still have created workers; they are stopped too.
    await this.queue.idle();
    await sweep();
    this.emitter.emit('change', 'master');
    return stopped.size;
  }

  private control(params: WorkerParams, action: (worker: ManagedWorker) => Promise<void>): Promise<WorkerStatus[]> {
    return this.operations.runFor(params.name, () => this.controlNow(params, action));
  }

  private async controlNow(params: WorkerParams, action: (worker: ManagedWorker) => Promise<void>): Promise<WorkerStatus[]> {
    const workers = this.selected(params);
    await Promise.all(workers.map(action));
    return workers.map((worker) => this.describe(worker));
  }

  /** The instances a per-worker request names, once it may act at all. */
  private selected(params: WorkerParams): ManagedWorker[] {
    if (this.state === 'stopping') throw new ShuttingDownError();
    if (this.options.workersEnabled === false) throw new UntrustedWorkspaceError();
    const workers = this.instancesOrThrow(params.name).filter((w) => params.instance === undefined || w.instance === params.instance);
    if (workers.length === 0) {
      const count = this.table.instancesOf(params.name).length;
      throw new UnknownWorkerError(`${params.name}[${params.instance}]`, ` (${params.name} has ${count} instance${count === 1 ? '' : 's'}, numbered from 0)`);
    }
    return workers;
  }

  private workerNames(): string[] {
    return [...new Set(this.table.all().map((worker) => worker.spec.name))];
  }

  private instancesOrThrow(name: string): ManagedWorker[] {
    const workers = this.table.instancesOf(name);
    if (workers.length === 0) throw new UnknownWorkerError(name, unknownWorkerHint(name, this.workerNames()));
    return workers;
  }

  /** The workers and the instances waiting to be created (waitingStarts.ts), in config order, then instance. */
  private sortedWorkers(): WorkerStatus[] {
    const order = new Map((this.applied?.workers ?? []).map((spec, index) => [spec.name, index]));
    const rank = (status: WorkerStatus): number => order.get(status.name) ?? Number.MAX_SAFE_INTEGER;
    const waiting = this.waitingStarts.statuses((name, instance) => this.table.get(name, instance) !== undefined);
    return [...this.table.all().map((worker) => this.describe(worker)), ...waiting].sort((a, b) => rank(a) - rank(b) || a.instance - b.instance);
  }

  /** The worker's status, with the line of its key in the config now applied (a kept worker may have moved). */
  private describe(worker: ManagedWorker): WorkerStatus {
    const status = worker.status();
    const line = this.applied?.workers.find((spec) => spec.name === worker.spec.name)?.line;
    return line === undefined ? status : { ...status, line };
  }
}
