/**
 * The live workers of a master, one per (name, instance). Workers of an
 * older generation that are still stopping are not in the table; the
 * master lists them separately as draining.
 */
import type { ManagedWorker } from './workerPort';
import { instanceKey, type RunningInstance } from './plan';

export class WorkerTable {
  private readonly workers = new Map<string, ManagedWorker>();

  get(name: string, instance: number): ManagedWorker | undefined {
    return this.workers.get(instanceKey(name, instance));
  }

  put(worker: ManagedWorker): void {
    this.workers.set(instanceKey(worker.spec.name, worker.instance), worker);
  }

  /** Removes the worker only if it is still the one registered for its slot. */
  remove(worker: ManagedWorker): void {
    const key = instanceKey(worker.spec.name, worker.instance);
    if (this.workers.get(key) === worker) this.workers.delete(key);
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
