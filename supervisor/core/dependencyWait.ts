/**
 * Waiting for a worker's dependencies as `depends_on` says (`started`,
 * `ready`, `completed`) before it starts, and saying why it cannot start
 * when one does not come up — and whether that is because the user stopped
 * it (then the start was not a failure of the config: applyPlan.ts).
 */
import type { WorkerStatus } from '../../shared/protocol';
import { DEFAULTS, type DependencyCondition, type WorkerSpec } from '../config/model';
import type { ApplyContext, StartFailure } from './applyPlan';
import { hasEnded, isUp, STOPPED_ON_REQUEST, type ManagedWorker } from './workerPort';

/** Why a worker cannot start; `stopped`: a dependency it needs was stopped on request. */
export interface Unmet {
  reason: string;
  stopped?: true;
  /** The dependency was stopped, or not started, by the operation itself once another start had failed. */
  aborted?: true;
}

/** A dependency being started by the same operation as its dependents. */
export interface Starting {
  /** Resolves once its start has begun (or was given up): from then on its status is this start's, not a stopped instance's. */
  begun: Promise<void>;
  failures: Promise<StartFailure[]>;
}

/** Waits for each dependency; returns why the worker cannot start, or undefined when it may. */
export async function firstUnmetDependency(
  spec: WorkerSpec,
  startingNow: Map<string, Starting>,
  context: ApplyContext,
): Promise<Unmet | undefined> {
  const unmet = await Promise.all(
    spec.dependsOn.map((dep) => waitForDependency(dep.name, dep.condition, startingNow.get(dep.name), context)),
  );
  // A dependency the operation stopped because another failed is not the reason: that other one is.
  return unmet.find((reason) => reason !== undefined && !reason.aborted) ?? unmet.find((reason) => reason !== undefined);
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
): Promise<Unmet | undefined> {
  const failedReason = pending?.failures.then((failures) => (failures.length > 0 ? startFailed(name, failures[0]) : undefined));
  if (failedReason && condition === 'ready') return failedReason;
  const instances = () => context.table.instancesOf(name);
  const timeoutMs = condition === 'completed' ? null : dependencyTimeout(instances()[0]?.spec);
  // An instance started again (`steward start`) still shows how it ended until its start begins.
  const met = (pending?.begun ?? Promise.resolve())
    .then(() => context.waitFor(() => dependencyMet(instances(), condition) || endedForGood(instances()) !== undefined, timeoutMs))
    .then((settled): Unmet | undefined => {
      if (!settled) return { reason: `dependency ${name} is not ${condition}${timeoutMs === null ? '' : ` after ${timeoutMs} ms`}` };
      const ended = dependencyMet(instances(), condition) ? undefined : endedForGood(instances());
      return ended && { ...ended, reason: `dependency ${name} ${ended.reason}` };
    });
  if (!failedReason) return met;
  // Started in this same operation: a failed start is the answer, in its own words (its status may show the end
  // first); a good one answers `started`, not `completed`.
  const metOrFailed = met.then((unmet) => unmet && failedReason.then((failed) => failed ?? unmet));
  return Promise.race([metOrFailed, condition === 'completed' ? failedReason.then((unmet) => unmet ?? met) : failedReason]);
}

/** A dependency's failed start, from its dependent's side. */
function startFailed(name: string, failure: StartFailure): Unmet {
  if (failure.aborted) return { reason: `dependency ${name} ${failure.reason}`, aborted: true };
  if (!failure.stopped) return { reason: `dependency ${name} failed to start: ${failure.reason}` };
  return { reason: `dependency ${name} ${failure.blocked ? `did not start: ${failure.reason}` : `was ${failure.reason}`}`, stopped: true };
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
function endedForGood(instances: ManagedWorker[]): Unmet | undefined {
  const statuses = instances.map((worker) => worker.status());
  if (statuses.length === 0 || !statuses.every(hasEnded) || statuses.every(finishedItsJob)) return undefined;
  const last = statuses.find((status) => !finishedItsJob(status))!;
  if (last.reason === STOPPED_ON_REQUEST) return { reason: 'was stopped on request and will not start by itself', stopped: true };
  return { reason: `has ${last.state === 'failed' ? 'failed' : 'ended'} (${last.reason ?? `exit ${last.exitCode}`}) and will not start by itself` };
}

function dependencyTimeout(spec: WorkerSpec | undefined): number {
  return (spec?.ready?.timeoutMs ?? DEFAULTS.readyTimeoutMs) + 1_000;
}
