/**
 * The real worker factory: B's process-backed Worker, every process group
 * registered with the master's guardian (so even a SIGKILLed master leaves
 * no orphan).
 */
import type { Guardian } from '../process/guardian';
import { Worker, type WorkerOptions } from './worker';
import type { WorkerFactory } from './workerPort';

export function processWorkerFactory(guardian: Guardian, options: WorkerOptions = {}): WorkerFactory {
  // The master's environment, copied once: process.env is a live view whose every read crosses into C++
  // (0.07–0.25 ms per copy, paid by every spawn of a reload otherwise); the master never changes it.
  const withEnv: WorkerOptions = { baseEnv: { ...process.env }, ...options };
  return (spec, instance, generation, events) =>
    new Worker(spec, instance, generation, { onChange: events.onChange, onLog: events.onLog, guardian }, withEnv);
}
