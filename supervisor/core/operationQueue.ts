/**
 * Reloads and per-worker control run one at a time, in arrival order. Per
 * worker name, the queue also counts the start/stop/restart requests queued
 * or running: a stop that does not wait its turn (master.ts) must still come
 * after a start of the same worker asked for before it.
 */
export class OperationQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly forWorker = new Map<string, number>();

  /** Runs `operation` once every operation before it has settled. */
  run<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.tail.then(operation, operation);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** run(), counted for worker `name` until it settles. */
  runFor<T>(name: string, operation: () => Promise<T>): Promise<T> {
    this.forWorker.set(name, (this.forWorker.get(name) ?? 0) + 1);
    return this.run(operation).finally(() => {
      const left = (this.forWorker.get(name) ?? 1) - 1;
      if (left > 0) this.forWorker.set(name, left);
      else this.forWorker.delete(name);
    });
  }

  /** Whether a request for worker `name` is queued or running. */
  hasFor(name: string): boolean {
    return this.forWorker.has(name);
  }
}
