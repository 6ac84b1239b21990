/**
 * Applying a reload plan in dependency order: stop removed and replaced
 * instances (dependents first), then start new and replaced ones, each after
 * its dependencies are `started` or `ready` as `depends_on` says. Instances
 * of one worker start in parallel; independent workers too.
 */
import type { DependencyCondition, WorkerSpec } from '../config/model';
import { DEFAULTS } from '../config/model';
import { directDependents, topologicalOrder, uniqueSpecs } from './dependencyOrder';
import type { WorkerStatus } from '../../shared/protocol';
import { hasEnded, isUp, STOPPED_ON_REQUEST, type ManagedWorker } from './workerPort';
import type { WorkerTable } from './workerTable';

export interface ApplyContext {
  table: WorkerTable;
  /** Creates a worker (not yet started). */
  createWorker(spec: WorkerSpec, instance: number, generation: number): ManagedWorker;
  /** Resolves true once `predicate` holds (re-checked on every worker change), false after `timeoutMs` (null: none). */
  waitFor(predicate: () => boolean, timeoutMs: number | null): Promise<boolean>;
  /** Notes that this operation waits on worker `name` as a dependency, until the returned release (master.ts: `steward stop` of it acts at once). */
  awaiting(name: string): () => void;
  /** Lists instances waiting for their dependencies before they are created, until the returned release (waitingStarts.ts). */
  waitingToStart(items: StartItem[]): () => void;
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
  /** Its start was cut short by `steward stop`: the user's doing, not the config's. */
  stopped?: true;
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

/** A worker being started by the same operation as its dependents. */
interface Starting {
  /** Resolves once its start has begun (or was given up): from then on its status is this start's, not a stopped instance's. */
  begun: Promise<void>;
  failures: Promise<StartFailure[]>;
}

/** Starts the items in dependency order; returns the instances that failed. */
export async function startInDependencyOrder(items: StartItem[], context: ApplyContext): Promise<StartFailure[]> {
  const specs = uniqueSpecs(items.map((item) => item.spec));
  const starting = new Map<string, Starting>();
  for (const name of topologicalOrder(specs)) {
    const spec = specs.find((s) => s.name === name) as WorkerSpec;
    const mine = items.filter((item) => item.spec.name === name);
    let begin!: () => void;
    const begun = new Promise<void>((resolve) => (begin = resolve));
    const startAfterDependencies = async (): Promise<StartFailure[]> => {
      const listed = spec.dependsOn.length > 0 ? context.waitingToStart(mine) : undefined;
      const blocked = await firstUnmetDependency(spec, starting, context).finally(listed);
      const workers = mine.map((item) => item.worker ?? createAndRegister(item, context));
      if (blocked) return workers.map((worker, i) => ({ item: mine[i], worker, reason: blocked, blocked: true as const }));
      const results = Promise.all(workers.map((worker) => worker.start()));
      begin();
      return (await results).flatMap((result, i) =>
        result.ok ? [] : [{ item: mine[i], worker: workers[i], reason: result.reason, stopped: result.stopped, port: result.port }],
      );
    };
    const failures = startAfterDependencies().finally(begin);
    starting.set(name, { begun, failures });
  }
  return (await Promise.all([...starting.values()].map((entry) => entry.failures))).flat();
}

function createAndRegister(item: StartItem, context: ApplyContext): ManagedWorker {
  const worker = context.createWorker(item.spec, item.instance, item.generation);
  context.table.put(worker);
  return worker;
}

/** Waits for each dependency; returns why the worker cannot start, or undefined when it may. */
async function firstUnmetDependency(
  spec: WorkerSpec,
  startingNow: Map<string, Starting>,
  context: ApplyContext,
): Promise<string | undefined> {
  const reasons = await Promise.all(
    spec.dependsOn.map((dep) => waitForDependency(dep.name, dep.condition, startingNow.get(dep.name), context)),
  );
  return reasons.find((reason) => reason !== undefined);
}

/**
 * A dependency started in this same reload is awaited through its start
 * outcome (a failure is reported at once); one that was already running
 * through its status, up to its readiness timeout — or until it has ended
 * for good (failed, stopped on request), which is reported at once. Its
 * completion is awaited as long as it runs: a migration takes what it takes,
 * and `steward stop` of it (which does not queue behind this wait) or down
 * ends the wait.
 */
async function waitForDependency(
  name: string,
  condition: DependencyCondition,
  pending: Starting | undefined,
  context: ApplyContext,
): Promise<string | undefined> {
  const failedReason = pending?.failures.then((failures) =>
    failures.length > 0 ? `dependency ${name} failed to start: ${failures[0].reason}` : undefined,
  );
  if (failedReason && condition === 'ready') return failedReason;
  const instances = () => context.table.instancesOf(name);
  const timeoutMs = condition === 'completed' ? null : dependencyTimeout(instances()[0]?.spec);
  const release = context.awaiting(name);
  // An instance started again (`steward start`) still shows how it ended until its start begins.
  const met = (pending?.begun ?? Promise.resolve())
    .then(() => context.waitFor(() => dependencyMet(instances(), condition) || endedForGood(instances()) !== undefined, timeoutMs))
    .finally(release)
    .then((settled) => {
      if (!settled) return `dependency ${name} is not ${condition}${timeoutMs === null ? '' : ` after ${timeoutMs} ms`}`;
      const ended = dependencyMet(instances(), condition) ? undefined : endedForGood(instances());
      return ended && `dependency ${name} ${ended}`;
    });
  if (!failedReason) return met;
  // Started in this same operation: a failed start is the answer, in its own words (its status may show the end
  // first); a good one answers `started`, not `completed`.
  const metOrFailed = met.then((reason) => reason && failedReason.then((failed) => failed ?? reason));
  return Promise.race([metOrFailed, condition === 'completed' ? failedReason.then((reason) => reason ?? met) : failedReason]);
}

/**
 * A dependency condition over all instances of the dependency. One that
 * exited 0 on its own (a one-shot such as a migration) has done its job:
 * it meets every condition, and only that meets `completed`.
 */
export function dependencyMet(instances: ManagedWorker[], condition: DependencyCondition): boolean {
  if (instances.length === 0) return false;
  return instances.every((worker) => {
    const status = worker.status();
    if (finishedItsJob(status)) return true;
    if (condition === 'completed') return false;
    // Started: past its start-up check (process/startup.ts), so a dependency that crashes while it loads is not
    // met; one with a probe once spawned, as waiting for the probe is what `ready` is for.
    if (condition === 'started') return isUp(status) && (status.state !== 'starting' || worker.spec.ready !== undefined);
    return status.state === 'ready' || (status.state === 'running' && worker.spec.ready === undefined);
  });
}

function finishedItsJob(status: WorkerStatus): boolean {
  return status.state === 'exited' && status.exitCode === 0 && status.reason !== STOPPED_ON_REQUEST;
}

/** Why a dependency will not come up by itself (every instance ended, not all of them cleanly), or undefined. */
function endedForGood(instances: ManagedWorker[]): string | undefined {
  const statuses = instances.map((worker) => worker.status());
  if (statuses.length === 0 || !statuses.every(hasEnded) || statuses.every(finishedItsJob)) return undefined;
  const last = statuses.find((status) => !finishedItsJob(status))!;
  if (last.reason === STOPPED_ON_REQUEST) return 'was stopped on request and will not start by itself';
  return `has ${last.state === 'failed' ? 'failed' : 'ended'} (${last.reason ?? `exit ${last.exitCode}`}) and will not start by itself`;
}

function dependencyTimeout(spec: WorkerSpec | undefined): number {
  return (spec?.ready?.timeoutMs ?? DEFAULTS.readyTimeoutMs) + 1_000;
}
