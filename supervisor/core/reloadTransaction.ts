/**
 * One reload as a transaction: read + validate → diff → apply → undo. A
 * config that cannot be read or is invalid returns before anything is
 * touched. When a new or changed instance fails to start (never ready,
 * crashed in start-up, blocked by a failed dependency, stopped on request),
 * the starts still pending are stopped at once (applyPlan.ts: fail fast) and
 * the whole reload is undone so that the last good generation runs as before: replaced
 * instances get their last good definition back, removed ones start again,
 * added ones are removed. The start-up load has no last good generation:
 * what started keeps running and a failed instance stays listed with its
 * reason. The caller (the master) turns the result into state: ok → running
 * with a new last good generation, not ok → wait mode.
 */
import type { LocatedError, ReloadResult, ReloadTrigger, WorkerState } from '../../shared/protocol';
import { statSync } from 'node:fs';
import { envFilesUnchanged } from '../config/envFileText';
import { readRegularFile, toLocatedError } from '../config/load';
import type { StewardConfig } from '../config/model';
import { type ApplyContext, instanceName, type StartFailure, type StartItem, startInDependencyOrder, stopInReverseDependencyOrder } from './applyPlan';
import type { ConfigRead } from './configSource';
import { type InstanceStep, planReload, sameRuntime, summarizePlan } from './plan';
import { portsHeldOutside } from './portCheck';
import { isUp, type ManagedWorker } from './workerPort';

export interface TransactionInput {
  read: ConfigRead;
  all: boolean;
  dryRun: boolean;
  trigger: ReloadTrigger;
  /** The generation number this reload creates if applied. */
  generation: number;
  context: ApplyContext;
  /** Whether workers may run (not an untrusted workspace): then a declared port held elsewhere fails the reload up front (portCheck.ts). */
  checkPorts: boolean;
}

export interface TransactionOutcome {
  result: ReloadResult;
  /** The config that is now running (also after a partial rollback); absent when nothing was applied. */
  applied?: StewardConfig;
}

export async function runReloadTransaction(input: TransactionInput): Promise<TransactionOutcome> {
  const startedAt = Date.now();
  const finish = (fields: Partial<ReloadResult> & { ok: boolean }): ReloadResult => ({
    generation: input.generation,
    trigger: input.trigger,
    durationMs: Date.now() - startedAt,
    at: new Date().toISOString(),
    ...(input.dryRun ? { dryRun: true } : {}),
    ...fields,
    ...warningsOf(input.read, fields.warnings),
  });
  const { read } = input;
  if (!read.ok) {
    return { result: finish({ ok: false, error: read.error, ...(read.errors.length > 1 ? { errors: read.errors.slice(1) } : {}) }) };
  }
  const steps = planReload(runningInstances(input.context), read.config.workers, { all: input.all });
  const plan = summarizePlan(steps);
  const conflicts = input.checkPorts && input.trigger !== 'startup' ? await portsHeldOutside(steps, input.context) : [];
  if (conflicts.length > 0) {
    const [error, ...errors] = conflicts.map((conflict) => locatedFailure(conflict, read, 'cannot start', '; nothing was changed'));
    return { result: finish({ ok: false, plan, error, ...(errors.length > 0 ? { errors } : {}) }) };
  }
  if (input.dryRun) return { result: finish({ ok: true, plan }) };
  const startup = input.trigger === 'startup';
  // The instances stopped or never started because another start had failed (fail fast) are undone, not reasons.
  const applied = (await applySteps(steps, input.generation, input.context, !startup)).filter((failure) => !failure.aborted);
  // The start-up load has nothing to undo: an instance the user stopped while it started is simply stopped, and its
  // dependents are listed, not started, with why.
  if (startup) listBlockedAsFailed(applied.filter((failure) => failure.stopped));
  const failures = startup ? applied.filter((failure) => !failure.stopped) : applied;
  const retried = failures.filter((failure) => isRetry(stepOf(failure, steps)));
  if (failures.length === retried.length) {
    // An unchanged instance that had failed, tried again and failed again, leaves the reload's changes in place: listed as failed, as before.
    listBlockedAsFailed(retried);
    carryUnchanged(steps, input.generation, input.context);
    const again = retried.map((failure) => locatedFailure(failure, read, 'failed to start again', " (it had failed before; the reload's changes are applied)"));
    return { result: finish({ ok: true, plan, ...(again.length > 0 ? { warnings: again } : {}) }), applied: read.config };
  }
  if (startup) {
    listBlockedAsFailed(failures);
    return { result: finish({ ok: false, plan, ...describeFailures(failures, null, read) }), applied: read.config };
  }
  const undone = { steps, failures: await undo(steps, failures, input.context) };
  // The reason is what made the reload fail, not an instance that only failed again.
  const causes = [...failures.filter((failure) => !retried.includes(failure)), ...retried];
  return { result: finish({ ok: false, plan, ...describeFailures(causes, undone, read) }) };
}

/** The config's warnings, then the reload's own (`more`). */
function warningsOf(read: ConfigRead, more: LocatedError[] = []): { warnings?: LocatedError[] } {
  const file = read.ok ? read.config.file : read.error.file;
  const ofConfig = file === undefined ? [] : read.diagnostics.filter((d) => d.severity === 'warning').map((d) => toLocatedError(d, file));
  const warnings = [...ofConfig, ...more];
  return warnings.length > 0 ? { warnings } : {};
}

/**
 * The no-op fast path: `unchanged` is `last` (the read the running
 * generation came from) when the file still holds byte for byte the same
 * text, every worker's cwd is still a directory (the one error the
 * filesystem can bring about without the file changing), every env file
 * holds the text it was read with, and no worker is
 * `failed` (a reload retries those), so the reload can skip parsing and
 * validating it again. Otherwise `text` is what was just read (undefined
 * when nothing was), for the full read to check — and locate what is
 * wrong — without reading the file a second time.
 */
export async function readUnlessUnchanged(
  file: string,
  last: ConfigRead | null,
  context: ApplyContext,
): Promise<{ unchanged: ConfigRead } | { text: string | undefined }> {
  if (!last?.ok || runningInstances(context).some((instance) => instance.failed)) return { text: undefined };
  // The same guarded read as a full load: a FIFO or device in place of the file must not hang the reload.
  const text = await readRegularFile(file).catch(() => undefined);
  const same = text === last.text && cwdsAreDirectories(last.config) && envFilesUnchanged(last.config.envFiles ?? {});
  return same ? { unchanged: last } : { text };
}

/** One stat per distinct cwd (200 workers usually share a few). */
function cwdsAreDirectories(config: StewardConfig): boolean {
  for (const cwd of new Set(config.workers.map((worker) => worker.cwd))) {
    if (statSync(cwd, { throwIfNoEntry: false })?.isDirectory() !== true) return false;
  }
  return true;
}

/** Failed instances count as not running, so a reload retries them even when their definition is unchanged. */
export function runningInstances(context: ApplyContext) {
  return context.table.all().map((worker) => ({ spec: worker.spec, instance: worker.instance, failed: worker.status().state === 'failed' }));
}

/** The instances a reload stopped (replaced or removed), for its undo. */
const stoppedBy = new WeakMap<InstanceStep, { worker: ManagedWorker; stateBefore: WorkerState }>();

/** `failFast`: a failed start stops the others (a reload is undone after one anyway: its answer need not wait for them). */
async function applySteps(steps: InstanceStep[], generation: number, context: ApplyContext, failFast: boolean): Promise<StartFailure[]> {
  const leaving: ManagedWorker[] = [];
  for (const step of steps) {
    if (step.action !== 'stop' && step.action !== 'restart') continue;
    const worker = context.table.get(step.name, step.instance);
    if (!worker) continue;
    stoppedBy.set(step, { worker, stateBefore: worker.status().state });
    worker.draining = true;
    leaving.push(worker);
  }
  await stopInReverseDependencyOrder(leaving, context.table);
  const items: StartItem[] = steps
    .filter((step) => step.action === 'start' || step.action === 'restart')
    .map((step) => ({ spec: step.after!, instance: step.instance, generation }));
  // A worker that had failed and fails again does not fail the reload: no reason to stop the others.
  const retry = (item: StartItem) => isRetry(stepOf({ item }, steps));
  return startInDependencyOrder(items, context, failFast ? { failFast: { endsAll: (item) => !retry(item), spares: retry } } : {});
}

/** The instance was `failed` and its definition is unchanged: the reload only tries it again. */
function isRetry(step: InstanceStep | undefined): boolean {
  return step?.action === 'restart' && stoppedBy.get(step)?.stateBefore === 'failed' && sameRuntime(step.before!, step.after!);
}

function stepOf(failure: Pick<StartFailure, 'item'>, steps: InstanceStep[]): InstanceStep | undefined {
  return steps.find((step) => step.name === failure.item.spec.name && step.instance === failure.item.instance);
}

/** Unchanged instances keep their pids and join the new generation. */
function carryUnchanged(steps: InstanceStep[], generation: number, context: ApplyContext): void {
  for (const step of steps) {
    const worker = step.action === 'keep' ? context.table.get(step.name, step.instance) : undefined;
    if (worker) worker.generation = generation;
  }
}

/**
 * Puts the last good generation back: every instance this reload started is
 * stopped (an added one is thereby removed), then every instance it stopped
 * (replaced or removed) starts again from its last good definition, in
 * dependency order — a dependent as it ran then, whether or not its
 * dependency comes up. One that was not running before (failed, stopped on
 * request, a one-shot that finished), or whose replacement the user stopped
 * while it started, is listed again exactly as the reload left it, not
 * started; an unchanged failed one that the reload's retry brought up
 * keeps running. Kept instances were never touched.
 */
async function undo(steps: InstanceStep[], causes: StartFailure[], context: ApplyContext): Promise<StartFailure[]> {
  // A replacement the user stopped while it started: its last good definition comes back stopped too, as asked.
  const stoppedByUser = new Set(causes.filter((failure) => stoppedOnRequest(failure)).map((failure) => stepOf(failure, steps)));
  const recovered = new Set(
    steps.filter((step) => {
      const now = context.table.get(step.name, step.instance)?.status();
      return isRetry(step) && now !== undefined && isUp(now);
    }),
  );
  const started = steps
    .filter((step) => (step.action === 'start' || step.action === 'restart') && !recovered.has(step))
    .flatMap((step) => context.table.get(step.name, step.instance) ?? []);
  await stopInReverseDependencyOrder(started, context.table);
  const items: StartItem[] = [];
  for (const step of steps) {
    const stopped = stoppedBy.get(step);
    if (!stopped) continue;
    const previous = stopped.worker;
    if (recovered.has(step)) {
      context.table.get(step.name, step.instance)!.generation = previous.generation;
    } else if (stopped.stateBefore === 'exited' || stopped.stateBefore === 'failed' || stoppedByUser.has(step)) {
      previous.draining = false;
      context.table.put(previous);
    } else {
      items.push({ spec: step.before!, instance: step.instance, generation: previous.generation });
    }
  }
  const failures = await startInDependencyOrder(items, context, { restore: true });
  listBlockedAsFailed(failures);
  return failures;
}

/** The instance itself was stopped by `steward stop` while it started (it may still be stopping), or while it waited for its dependencies. */
function stoppedOnRequest(failure: StartFailure): boolean {
  return failure.stopped === true && !failure.blocked;
}

/** An instance blocked by a failed dependency stays listed as failed, with that reason (block() leaves one that failed by itself as it is). */
function listBlockedAsFailed(failures: StartFailure[]): void {
  for (const failure of failures) failure.worker.block(failure.reason);
}

/**
 * The wait-mode reason, located at the failed worker's key in the new
 * config; every other failed instance is listed in `errors`, at its own key.
 */
function describeFailures(
  failures: StartFailure[],
  undone: { steps: InstanceStep[]; failures: StartFailure[] } | null,
  read: ConfigRead & { ok: true },
): { error: LocatedError; errors?: LocatedError[] } {
  const [first, ...others] = failures;
  const error = locatedFailure(first, read);
  if (undone) error.message += undoOutcome(first, failures, undone.failures, undone.steps);
  if (others.length > 0) error.message += ` (and ${others.length} more: ${others.map((failure) => instanceName(failure.item)).join(', ')})`;
  return others.length > 0 ? { error, errors: others.map((failure) => locatedFailure(failure, read)) } : { error };
}

/** What became of the reload after `first` failed. */
function undoOutcome(first: StartFailure, failures: StartFailure[], undoFailures: StartFailure[], steps: InstanceStep[]): string {
  if (undoFailures.length > 0) return `; the rollback failed too: ${undoFailures[0].item.spec.name}: ${undoFailures[0].reason}`;
  const replaced = steps.some((step) => step.name === first.item.spec.name && step.action === 'restart');
  const rolledBack = stoppedOnRequest(first) ? '; its last good definition is back, stopped as asked' : '; rolled back to its last good definition';
  const own = replaced ? rolledBack : '; it is new, so it was removed';
  const failed = new Set(failures.map((failure) => failure.item.spec.name));
  const otherChanges = steps.some((step) => step.action !== 'keep' && !failed.has(step.name) && !isRetry(step));
  return otherChanges ? `${own}; the reload's other changes were undone: the last good generation runs` : own;
}

/** At the worker's key, or at the declaration of the port that was held. */
function locatedFailure(
  failure: Pick<StartFailure, 'reason' | 'stopped' | 'port'> & { item: Pick<StartItem, 'spec' | 'instance'> },
  read: ConfigRead & { ok: true },
  what = failure.stopped ? 'did not start' : 'failed to start',
  after = '',
): LocatedError {
  const { name, line, column = 1, ports, portSites } = failure.item.spec;
  const portSite = failure.port === undefined ? undefined : portSites?.[ports.indexOf(failure.port)];
  return {
    message: `worker ${instanceName(failure.item)} ${what}: ${failure.reason}${after}`,
    file: read.config.file,
    ...(portSite ?? { line, column, endLine: line, endColumn: column + name.length }),
  };
}
