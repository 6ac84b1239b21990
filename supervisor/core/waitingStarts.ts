/**
 * Instances a reload starts once their dependencies are met (a migration
 * that must complete first can take minutes): the worker does not exist
 * until then, yet the status lists it, `starting` with no pid, saying what
 * it waits for.
 */
import type { WorkerStatus } from '../../shared/protocol';
import type { DependencyCondition, WorkerSpec } from '../config/model';

const WAITS_TO: Record<DependencyCondition, string> = { started: 'start', ready: 'be ready', completed: 'complete' };

export class WaitingStarts {
  private readonly waiting = new Map<string, WorkerStatus>();

  /** Lists these instances until the returned release. */
  add(items: ReadonlyArray<{ spec: WorkerSpec; instance: number; generation: number }>): () => void {
    const keys = items.map(({ spec, instance, generation }) => {
      const key = `${spec.name}#${instance}`;
      this.waiting.set(key, waitingStatus(spec, instance, generation));
      return key;
    });
    return () => keys.forEach((key) => this.waiting.delete(key));
  }

  /** The listed instances, except those `exists` says are workers already. */
  statuses(exists: (name: string, instance: number) => boolean): WorkerStatus[] {
    return [...this.waiting.values()].filter((status) => !exists(status.name, status.instance));
  }
}

function waitingStatus(spec: WorkerSpec, instance: number, generation: number): WorkerStatus {
  const waits = spec.dependsOn.map(({ name, condition }) => `${name} to ${WAITS_TO[condition]}`).join(', ');
  return {
    name: spec.name,
    instance,
    pid: null,
    generation,
    state: 'starting',
    restarts: 0,
    exitCode: null,
    ports: [...spec.ports],
    startedAt: null,
    reason: `waiting for ${waits}`,
    line: spec.line,
  };
}
