/**
 * The live workers of a master, one per (name, instance). A worker removed
 * from the table (replaced or removed by a reload) is remembered among the
 * last RETIRED_KEPT retired ones, so its final output stays in `logs`.
 */
import type { ManagedWorker } from './workerPort';
import { instanceKey, type RunningInstance } from './plan';

const RETIRED_KEPT = 16;

export class WorkerTable {
  private readonly workers = new Map<string, ManagedWorker>();
  private retired: ManagedWorker[] = [];

  get(name: string, instance: number): ManagedWorker | undefined {
    return this.workers.get(instanceKey(name, instance));
  }

  /** Registers the worker in its slot; one put back after being removed (a reload's undo) is live again, not retired. */
  put(worker: ManagedWorker): void {
    this.workers.set(instanceKey(worker.spec.name, worker.instance), worker);
    if (this.retired.includes(worker)) this.retired = this.retired.filter((retired) => retired !== worker);
  }

  /** Removes the worker only if it is still the one registered for its slot. */
  remove(worker: ManagedWorker): void {
    const key = instanceKey(worker.spec.name, worker.instance);
    if (this.workers.get(key) !== worker) return;
    this.workers.delete(key);
    this.retired = [...this.retired, worker].slice(-RETIRED_KEPT);
  }

  /** Live and recently retired workers (named `name`, or all): the sources of `logs`. */
  logSources(name?: string): ManagedWorker[] {
    const all = [...this.retired, ...this.all()];
    return name === undefined ? all : all.filter((worker) => worker.spec.name === name);
  }

  all(): ManagedWorker[] {
    return [...this.workers.values()];
  }

  instancesOf(name: string): ManagedWorker[] {
    return this.all().filter((worker) => worker.spec.name === name);
  }

  /** The definitions actually running, which is what a reload diffs against. */
  running(): RunningInstance[] {
    return this.all().map((worker) => ({ spec: worker.spec, instance: worker.instance }));
  }

  get size(): number {
    return this.workers.size;
  }
}
