/**
 * The diff of two generations, per worker instance (pure; touches nothing).
 *
 * A worker's identity is its name; an instance is (name, index) with
 * index < replicas. Any change of a WorkerSpec field counts as a change,
 * except `line` (moving a block in the file changes nothing that runs) and
 * `replicas` (scaling adds or removes instances; the others keep running).
 */
import type { ReloadPlan } from '../../shared/protocol';
import type { WorkerSpec } from '../config/model';

export type InstanceAction = 'start' | 'stop' | 'restart' | 'keep';

export interface InstanceStep {
  name: string;
  instance: number;
  action: InstanceAction;
  /** The running definition (stop, restart, keep). */
  before?: WorkerSpec;
  /** The new definition (start, restart, keep). */
  after?: WorkerSpec;
}

export interface PlanOptions {
  /** `reload --all`: every kept instance is restarted. */
  all?: boolean;
}

/** Fields whose change needs no restart: moving a block in the file, and scaling (instances are added or removed); dependsOn is compared apart. */
const NOT_RUNTIME: ReadonlySet<string> = new Set(['line', 'column', 'portSites', 'replicas', 'dependsOn']);

/**
 * Whether two specs run the same: equal in every other field, compared
 * structurally (the order of keys and keys set to undefined do not count).
 * No canonical strings are built: every reload parses fresh specs, and
 * fingerprinting 200 of them cost ~2 ms of each reload.
 */
export function sameRuntime(a: WorkerSpec, b: WorkerSpec): boolean {
  return a === b || (sameValue(a, b, NOT_RUNTIME) && sameDependencies(a, b));
}

/** The same dependencies, in any order: `depends_on: { db: ready, cache: started }` written the other way round is no change. */
function sameDependencies(a: WorkerSpec, b: WorkerSpec): boolean {
  return a.dependsOn.length === b.dependsOn.length && a.dependsOn.every((dep) => b.dependsOn.some((other) => other.name === dep.name && other.condition === dep.condition));
}

function sameValue(a: unknown, b: unknown, skip?: ReadonlySet<string>): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, index) => sameValue(item, b[index]));
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = definedKeys(left, skip);
  return keys.length === definedKeys(right, skip).length && keys.every((key) => sameValue(left[key], right[key]));
}

function definedKeys(value: Record<string, unknown>, skip?: ReadonlySet<string>): string[] {
  return Object.keys(value).filter((key) => value[key] !== undefined && !skip?.has(key));
}

export interface RunningInstance {
  spec: WorkerSpec;
  instance: number;
  /** A failed instance (gave up restarting) is restarted by any reload, changed or not. */
  failed?: boolean;
}

/** Steps in the order of the new config, then the removed workers. */
export function planReload(running: RunningInstance[], next: WorkerSpec[], options: PlanOptions = {}): InstanceStep[] {
  const runningByKey = new Map(running.map((r) => [instanceKey(r.spec.name, r.instance), r]));
  const steps: InstanceStep[] = [];
  const wanted = new Set<string>();
  for (const after of next) {
    for (let instance = 0; instance < after.replicas; instance += 1) {
      const key = instanceKey(after.name, instance);
      wanted.add(key);
      const current = runningByKey.get(key);
      const action = actionFor(current, after, options);
      steps.push({ name: after.name, instance, action, before: current?.spec, after });
    }
  }
  for (const r of running) {
    if (!wanted.has(instanceKey(r.spec.name, r.instance))) {
      steps.push({ name: r.spec.name, instance: r.instance, action: 'stop', before: r.spec });
    }
  }
  return steps;
}

function actionFor(current: RunningInstance | undefined, after: WorkerSpec, options: PlanOptions): InstanceAction {
  if (!current) return 'start';
  if (options.all || current.failed) return 'restart';
  if (!sameRuntime(current.spec, after)) return 'restart';
  return 'keep';
}

export function instanceKey(name: string, instance: number): string {
  return `${name}#${instance}`;
}

/**
 * The instance-less summary of the protocol. A scaled worker can appear in
 * two lists: `keep` for its surviving instances and `start`/`stop` for the
 * added/removed ones.
 */
export function summarizePlan(steps: InstanceStep[]): ReloadPlan {
  const plan: ReloadPlan = { start: [], stop: [], restart: [], keep: [] };
  for (const step of steps) {
    const list = plan[step.action];
    if (!list.includes(step.name)) list.push(step.name);
  }
  return plan;
}

export function planChangesNothing(steps: InstanceStep[]): boolean {
  return steps.every((step) => step.action === 'keep');
}
