/**
 * The real worker factory: B's process-backed Worker, every process group
 * registered with the master's guardian (so even a SIGKILLed master leaves
 * no orphan).
 */
import type { Guardian } from '../process/guardian';
import { Worker, type WorkerOptions } from './worker';
import type { WorkerFactory } from './workerPort';

export function processWorkerFactory(guardian: Guardian, options: WorkerOptions = {}): WorkerFactory {
  return (spec, instance, generation, events) =>
    new Worker(spec, instance, generation, { onChange: events.onChange, onLog: events.onLog, guardian }, options);
}
