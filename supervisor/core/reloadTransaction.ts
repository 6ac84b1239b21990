/**
 * One reload as a transaction: read + validate → diff → apply → roll back
 * what failed. A config that cannot be read or is invalid returns before
 * anything is touched. A new or changed instance that fails to start (never
 * ready, crashed in start-up, blocked by a failed dependency) is stopped and
 * its last good definition started again; added ones are simply removed.
 * The caller (the master) turns the result into state: ok → running with a
 * new last good generation, not ok → wait mode.
 */
import type { LocatedError, ReloadResult, ReloadTrigger } from '../../shared/protocol';
import { statSync } from 'node:fs';
import { readRegularFile } from '../config/load';
import type { StewardConfig } from '../config/model';
import { type ApplyContext, type StartFailure, type StartItem, startInDependencyOrder, stopInReverseDependencyOrder } from './applyPlan';
import type { ConfigRead } from './configSource';
import { type InstanceStep, planReload, summarizePlan } from './plan';
import type { ManagedWorker } from './workerPort';

export interface TransactionInput {
  read: ConfigRead;
  all: boolean;
  dryRun: boolean;
  trigger: ReloadTrigger;
  /** The generation number this reload creates if applied. */
  generation: number;
  context: ApplyContext;
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
  });
  const { read } = input;
  if (!read.ok) {
    return { result: finish({ ok: false, error: read.error, ...(read.errors.length > 1 ? { errors: read.errors.slice(1) } : {}) }) };
  }
  const steps = planReload(runningInstances(input.context), read.config.workers, { all: input.all });
  const plan = summarizePlan(steps);
  if (input.dryRun) return { result: finish({ ok: true, plan }) };
  const failures = await applySteps(steps, input.generation, input.context);
  if (failures.length === 0) {
    carryUnchanged(steps, input.generation, input.context);
    return { result: finish({ ok: true, plan }), applied: read.config };
  }
  const rollbackFailures = await rollBack(failures, steps, input.context);
  const error = describeFailure(failures, rollbackFailures, steps, read);
  return { result: finish({ ok: false, plan, error }), applied: read.config };
}

/**
 * The no-op fast path: `unchanged` is `last` (the read the running
 * generation came from) when the file still holds byte for byte the same
 * text, every worker's cwd is still a directory (the one error the
 * filesystem can bring about without the file changing) and no worker is
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
  return text === last.text && cwdsAreDirectories(last.config) ? { unchanged: last } : { text };
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

/** Old generations of replaced instances, for the rollback. */
const previousGeneration = new WeakMap<InstanceStep, number>();

async function applySteps(steps: InstanceStep[], generation: number, context: ApplyContext): Promise<StartFailure[]> {
  const leaving: ManagedWorker[] = [];
  for (const step of steps) {
    if (step.action !== 'stop' && step.action !== 'restart') continue;
    const worker = context.table.get(step.name, step.instance);
    if (!worker) continue;
    previousGeneration.set(step, worker.generation);
    worker.draining = true;
    leaving.push(worker);
  }
  await stopInReverseDependencyOrder(leaving, context.table);
  const items: StartItem[] = steps
    .filter((step) => step.action === 'start' || step.action === 'restart')
    .map((step) => ({ spec: step.after!, instance: step.instance, generation }));
  return startInDependencyOrder(items, context);
}

/** Unchanged instances keep their pids and join the new generation. */
function carryUnchanged(steps: InstanceStep[], generation: number, context: ApplyContext): void {
  for (const step of steps) {
    const worker = step.action === 'keep' ? context.table.get(step.name, step.instance) : undefined;
    if (worker) worker.generation = generation;
  }
}

/**
 * A failed replacement is stopped and its last good definition started
 * again. A failed new instance has nothing to roll back to: if it failed by
 * itself it stays, settled in `failed` with its reason (visible in status;
 * any later reload retries it), if it never started (blocked by a
 * dependency) it is removed.
 */
async function rollBack(failures: StartFailure[], steps: InstanceStep[], context: ApplyContext): Promise<StartFailure[]> {
  const stepOf = (failure: StartFailure) => steps.find((s) => s.name === failure.item.spec.name && s.instance === failure.item.instance);
  const replaced = failures.filter((failure) => stepOf(failure)?.action === 'restart');
  const blockedNew = failures.filter((failure) => !replaced.includes(failure) && failure.worker.status().state !== 'failed');
  await stopInReverseDependencyOrder([...replaced, ...blockedNew].map((failure) => failure.worker), context.table);
  const items: StartItem[] = replaced.map((failure) => {
    const step = stepOf(failure)!;
    return { spec: step.before!, instance: step.instance, generation: previousGeneration.get(step) ?? failure.item.generation };
  });
  return startInDependencyOrder(items, context);
}

/** The wait-mode reason, located at the failed worker's key in the new config. */
function describeFailure(
  failures: StartFailure[],
  rollbackFailures: StartFailure[],
  steps: InstanceStep[],
  read: ConfigRead & { ok: true },
): LocatedError {
  const first = failures[0];
  const name = first.item.spec.name;
  const instance = first.item.spec.replicas > 1 ? `[${first.item.instance}]` : '';
  const others = failures.length > 1 ? ` (and ${failures.length - 1} more instance(s) failed)` : '';
  const hadPrevious = steps.some((s) => s.name === name && s.action === 'restart');
  const rollback = !hadPrevious
    ? '; it is new, so there is no last good definition to roll back to'
    : rollbackFailures.length > 0
      ? `; the rollback failed too: ${rollbackFailures[0].item.spec.name}: ${rollbackFailures[0].reason}`
      : '; rolled back to its last good definition';
  const line = first.item.spec.line;
  const column = read.text.split('\n')[line - 1]?.indexOf(name) ?? -1;
  return {
    message: `worker ${name}${instance} failed to start: ${first.reason}${rollback}${others}`,
    file: read.config.file,
    line,
    column: column >= 0 ? column + 1 : 1,
    endLine: line,
    endColumn: column >= 0 ? column + 1 + name.length : 1,
  };
}
