/**
 * What a reload is waiting on. Instances it starts once their dependencies
 * are met (a migration that must complete first can take minutes): the
 * worker does not exist until then, yet the status lists it, `starting`
 * with no pid, saying what it waits for. And the workers it waits on as
 * dependencies: `steward stop` of one must not queue behind that wait.
 */
import type { WorkerStatus } from '../../shared/protocol';
import type { DependencyCondition, WorkerSpec } from '../config/model';

const WAITS_TO: Record<DependencyCondition, string> = { started: 'start', ready: 'be ready', completed: 'complete' };

export class WaitingStarts {
  private readonly waiting = new Map<string, WorkerStatus>();
  /** Per dependency name, how many waits are on it. */
  private readonly awaited = new Map<string, number>();

  /** Notes a wait on worker `name` until the returned release. */
  await(name: string): () => void {
    this.awaited.set(name, (this.awaited.get(name) ?? 0) + 1);
    return () => {
      const left = (this.awaited.get(name) ?? 1) - 1;
      if (left > 0) this.awaited.set(name, left);
      else this.awaited.delete(name);
    };
  }

  isAwaited(name: string): boolean {
    return this.awaited.has(name);
  }

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
