/**
 * Dependency order of workers (`depends_on`). The config checker rejects
 * cycles and unknown names; here a cycle is still detected (and thrown) so a
 * bug can never deadlock a reload — the reload then ends in wait mode.
 */
import type { WorkerSpec } from '../config/model';

/**
 * Names in an order where every worker comes after the workers it depends on (among `specs`): all of
 * them, or `roots` and what they depend on, directly or not.
 */
export function topologicalOrder(specs: WorkerSpec[], roots: WorkerSpec[] = specs): string[] {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    const seen = state.get(name);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new Error(`dependency cycle: ${[...path, name].join(' → ')}`);
    state.set(name, 'visiting');
    for (const dep of byName.get(name)?.dependsOn ?? []) {
      if (byName.has(dep.name)) visit(dep.name, [...path, name]);
    }
    state.set(name, 'done');
    order.push(name);
  };
  for (const spec of roots) visit(spec.name, []);
  return order;
}

/** Names among `specs` that depend directly on `name`. */
export function directDependents(name: string, specs: WorkerSpec[]): string[] {
  return specs.filter((spec) => spec.dependsOn.some((dep) => dep.name === name)).map((spec) => spec.name);
}

/** One spec per name (instances share their spec). */
export function uniqueSpecs(specs: WorkerSpec[]): WorkerSpec[] {
  const byName = new Map<string, WorkerSpec>();
  for (const spec of specs) if (!byName.has(spec.name)) byName.set(spec.name, spec);
  return [...byName.values()];
}
