/**
 * What a reload is waiting on. Instances it starts once their dependencies
 * are met (a migration that must complete first can take minutes): the
 * worker does not exist until then, yet the status lists it, `starting`
 * with no pid, saying what it waits for; `steward stop` of it ends that
 * wait at once.
 */
import type { WorkerStatus } from '../../shared/protocol';
import type { DependencyCondition, WorkerSpec } from '../config/model';

const WAITS_TO: Record<DependencyCondition, string> = { started: 'start', ready: 'be ready', completed: 'complete' };

interface Waiting {
  names: Set<string>;
  stop(): void;
  released: Promise<void>;
}

export class WaitingStarts {
  private readonly waiting = new Map<string, WorkerStatus>();
  private readonly entries = new Set<Waiting>();

  /** Lists these instances until `release`; `stopped` resolves when stop() names one of them meanwhile. */
  add(items: ReadonlyArray<{ spec: WorkerSpec; instance: number; generation: number }>): { release(): void; stopped: Promise<void> } {
    const keys = items.map(({ spec, instance, generation }) => {
      const key = `${spec.name}#${instance}`;
      this.waiting.set(key, waitingStatus(spec, instance, generation));
      return key;
    });
    let stop!: () => void;
    let released!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const entry: Waiting = { names: new Set(items.map((item) => item.spec.name)), stop, released: new Promise((resolve) => (released = resolve)) };
    this.entries.add(entry);
    const release = () => {
      keys.forEach((key) => this.waiting.delete(key));
      this.entries.delete(entry);
      released();
    };
    return { release, stopped };
  }

  /** Whether instances of worker `name` wait for their dependencies now. */
  isWaiting(name: string): boolean {
    return [...this.entries].some((entry) => entry.names.has(name));
  }

  /** Ends the waits of worker `name` (`steward stop`); resolves once the operations that waited have let them go. */
  async stop(name: string): Promise<void> {
    const stopped = [...this.entries].filter((entry) => entry.names.has(name));
    stopped.forEach((entry) => entry.stop());
    await Promise.all(stopped.map((entry) => entry.released));
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
