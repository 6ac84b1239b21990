/**
 * Applying a reload plan in dependency order: stop removed and replaced
 * instances (dependents first), then start new and replaced ones, each after
 * its dependencies are `started` or `ready` as `depends_on` says
 * (dependencyWait.ts). Instances of one worker start in parallel;
 * independent workers too. A reload (and `steward start`) fails fast: once
 * one start fails, the others are stopped rather than waited for.
 */
import type { WorkerSpec } from '../config/model';
import { directDependents, topologicalOrder, uniqueSpecs } from './dependencyOrder';
import { firstUnmetDependency, type Starting, type Unmet } from './dependencyWait';
import type { ManagedWorker } from './workerPort';
import type { WorkerTable } from './workerTable';

export interface ApplyContext {
  table: WorkerTable;
  /** Creates a worker (not yet started). */
  createWorker(spec: WorkerSpec, instance: number, generation: number): ManagedWorker;
  /** Resolves true once `predicate` holds (re-checked on every worker change), false after `timeoutMs` (null: none). */
  waitFor(predicate: () => boolean, timeoutMs: number | null): Promise<boolean>;
  /**
   * Lists instances waiting for their dependencies (waitingStarts.ts) until `release`; `stopped` resolves when
   * `steward stop` of that worker comes meanwhile (it must not wait for the dependencies to be stopped).
   */
  waitingToStart(items: StartItem[]): { release(): void; stopped: Promise<void> };
}

export interface StartItem {
  spec: WorkerSpec;
  instance: number;
  generation: number;
  /** An instance in the table to start again (`steward start`, dependencyStarts.ts); otherwise one is created. */
  worker?: ManagedWorker;
}

export interface StartFailure {
  item: StartItem;
  worker: ManagedWorker;
  reason: string;
  /** Not started at all: a dependency did not come up. */
  blocked?: true;
  /** `steward stop` of it cut its start or its wait short — or, with `blocked`, a dependency's start: the user's doing, not the config's. */
  stopped?: true;
  /** Stopped, or not started, by the operation itself once another start had failed (StartOptions.abortOn). */
  aborted?: true;
  /** The declared port another program held. */
  port?: number;
}

/** Stops the given workers, every worker after the workers that depend on it; removes them from the table. */
export async function stopInReverseDependencyOrder(workers: ManagedWorker[], table: WorkerTable): Promise<void> {
  const specs = uniqueSpecs(workers.map((worker) => worker.spec));
  const stopped = new Map<string, Promise<unknown>>();
  for (const name of topologicalOrder(specs).reverse()) {
    const dependentsStopped = directDependents(name, specs).map((dependent) => stopped.get(dependent));
    const mine = workers.filter((worker) => worker.spec.name === name);
    const stopAll = async (): Promise<void> => {
      await Promise.all(dependentsStopped);
      await Promise.all(mine.map((worker) => worker.stop().finally(() => table.remove(worker))));
    };
    stopped.set(name, stopAll());
  }
  await Promise.all(stopped.values());
}

export interface StartOptions {
  /**
   * Fail fast (a reload, which a failed start undoes anyway; `steward start`): once an item fails whose failure
   * `endsAll` says ends the operation (asked once per failed item), the starts still running are stopped and the
   * instances still waiting for their dependencies are not started — except the items `spares` names (a failed
   * worker a reload only tries again; the very worker `steward start` was asked for).
   */
  failFast?: { endsAll(item: StartItem): boolean; spares(item: StartItem): boolean };
  /**
   * Putting back what ran before (a reload's undo): dependencies are still started first and waited for, but one
   * that does not come up does not keep its dependent from starting — the last good generation ran like that.
   */
  restore?: true;
}

/** Starts the items in dependency order; returns the instances that failed. */
export async function startInDependencyOrder(items: StartItem[], context: ApplyContext, options: StartOptions = {}): Promise<StartFailure[]> {
  const specs = uniqueSpecs(items.map((item) => item.spec));
  const starting = new Map<string, Starting>();
  const run = new StartRun(options.failFast);
  for (const name of topologicalOrder(specs)) {
    const spec = specs.find((s) => s.name === name) as WorkerSpec;
    const mine = items.filter((item) => item.spec.name === name);
    let begin!: () => void;
    const begun = new Promise<void>((resolve) => (begin = resolve));
    const startAfterDependencies = async (): Promise<StartFailure[]> => {
      const awaited = await awaitDependencies(spec, mine, { starting, context, run });
      const { workers } = awaited;
      const unmet = options.restore && awaited.unmet !== STOPPED_WAITING ? undefined : awaited.unmet;
      if (unmet) {
        if (unmet !== ABORTED) mine.forEach((item) => run.failed(item));
        // Stopped while it waited is the user's stop of the worker itself, not a dependency that did not come up.
        const blocked = unmet === STOPPED_WAITING ? {} : { blocked: true as const };
        return workers.map((worker, i) => ({ item: mine[i], worker, ...unmet, ...blocked }));
      }
      const results = workers.map((worker, i) => run.start(worker, mine[i]));
      begin();
      return (await Promise.all(results)).flatMap((failure) => failure ?? []);
    };
    const failures = startAfterDependencies().finally(begin);
    starting.set(name, { begun, failures });
  }
  return (await Promise.all([...starting.values()].map((entry) => entry.failures))).flat();
}

/**
 * Until its dependencies are met (or why they are not); listed meanwhile as waiting, so that `steward stop` of
 * the worker ends the wait (it is then stopped, not started). Its instances exist from then on.
 */
async function awaitDependencies(
  spec: WorkerSpec,
  mine: StartItem[],
  { starting, context, run }: { starting: Map<string, Starting>; context: ApplyContext; run: StartRun },
): Promise<{ unmet: Unmet | typeof ABORTED | undefined; workers: ManagedWorker[] }> {
  const waiting = spec.dependsOn.length > 0 ? context.waitingToStart(mine) : undefined;
  try {
    const unmet = await Promise.race([
      firstUnmetDependency(spec, starting, context),
      ...(waiting ? [waiting.stopped.then(() => STOPPED_WAITING)] : []),
      // After the abort, one turn of the event loop for a dependency's failure to arrive: when it is why, it says so.
      ...(mine.some((item) => run.spares(item)) ? [] : [run.aborted.then(() => new Promise((resolve) => setImmediate(resolve))).then(() => ABORTED)]),
    ]);
    const workers = mine.map((item) => item.worker ?? createAndRegister(item, context));
    if (unmet === STOPPED_WAITING) await Promise.all(workers.map((worker) => worker.stop()));
    return { unmet, workers };
  } finally {
    waiting?.release();
  }
}

/** The user stopped the worker while it waited for its dependencies: it ends stopped, not started. */
const STOPPED_WAITING = { reason: 'stopped on request while it waited for its dependencies', stopped: true } as const;
const ABORTED = { reason: 'not started: another start of this operation failed', aborted: true } as const;

/** The starts of one operation, for failing fast. */
class StartRun {
  readonly aborted: Promise<void>;
  private abort!: () => void;
  private isAborted = false;
  private readonly running = new Set<ManagedWorker>();
  private readonly stoppedByUs = new Set<ManagedWorker>();

  constructor(private readonly failFast: StartOptions['failFast']) {
    this.aborted = new Promise((resolve) => (this.abort = resolve));
  }

  /** Whether the run's end leaves the item alone (every item when the run does not fail fast). */
  spares(item: StartItem): boolean {
    return !this.failFast || this.failFast.spares(item);
  }

  /** Starts the worker; resolves with its failure, if any (`aborted` when this run stopped it). */
  async start(worker: ManagedWorker, item: StartItem): Promise<StartFailure | undefined> {
    const spared = this.spares(item);
    if (!spared) this.running.add(worker);
    const started = worker.start();
    // A spared start (a reload's retry) is not waited for once the run has ended: its outcome is not the run's.
    const result = spared ? await Promise.race([started, this.aborted.then(() => undefined)]) : await started;
    this.running.delete(worker);
    if (result === undefined || result.ok) return undefined;
    if (this.stoppedByUs.has(worker)) return { item, worker, ...ABORTED };
    this.failed(item);
    return { item, worker, reason: result.reason, stopped: result.stopped, port: result.port };
  }

  /** `item` did not start: when that ends the run, the starts still running are stopped and the waiting ones not begun. */
  failed(item: StartItem): void {
    if (this.isAborted || !this.failFast?.endsAll(item)) return;
    this.isAborted = true;
    this.abort();
    for (const worker of this.running) {
      this.stoppedByUs.add(worker);
      void worker.stop();
    }
  }
}

/** `api`, or `api[2]` for one of its replicas. */
export function instanceName({ spec, instance }: Pick<StartItem, 'spec' | 'instance'>): string {
  return spec.replicas > 1 ? `${spec.name}[${instance}]` : spec.name;
}

function createAndRegister(item: StartItem, context: ApplyContext): ManagedWorker {
  const worker = context.createWorker(item.spec, item.instance, item.generation);
  context.table.put(worker);
  return worker;
}

