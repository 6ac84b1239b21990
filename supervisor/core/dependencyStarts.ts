/**
 * `steward start W` brings up what W needs, as `depends_on` says: every
 * worker W depends on (directly or through others) whose instances are not
 * up — stopped on request, failed, ended with an error — starts again
 * first, and W starts once its dependencies meet their conditions, the way
 * a reload starts them (applyPlan.ts). A one-shot that finished its job (a
 * migration that exited 0) is done and does not run again; a dependency
 * that is up, starting or restarting by itself is waited for, not touched.
 * A worker already up is left as it is, dependencies included.
 */
import type { StartItem } from './applyPlan';
import { dependencyMet } from './dependencyWait';
import { topologicalOrder, uniqueSpecs } from './dependencyOrder';
import { hasEnded, type ManagedWorker } from './workerPort';
import type { WorkerTable } from './workerTable';

export type StartAgainItem = StartItem & { worker: ManagedWorker };

/** The start items for `targets` and the dependency instances to start before them, dependencies first. */
export function startItemsWithDependencies(targets: ManagedWorker[], table: WorkerTable): StartAgainItem[] {
  const roots = uniqueSpecs(targets.map((worker) => worker.spec));
  const targetNames = new Set(roots.map((spec) => spec.name));
  const needed = topologicalOrder(uniqueSpecs(table.all().map((worker) => worker.spec)), roots).filter((name) => !targetNames.has(name));
  const dependencies = needed.flatMap((name) => {
    const instances = table.instancesOf(name);
    // Done for good (every instance finished its job) or up by itself: nothing to start.
    if (dependencyMet(instances, 'completed')) return [];
    return instances.filter((worker) => hasEnded(worker.status()));
  });
  return [...dependencies, ...targets].map((worker) => ({ spec: worker.spec, instance: worker.instance, generation: worker.generation, worker }));
}
