/**
 * "Every worker has ended and none will restart" (HAProxy's master exits
 * then, with the last worker's status). Workers stopped on request do not
 * count as ending on their own: stopping all of them by hand leaves the
 * master up, waiting for `start` or `down`.
 */
import type { ManagedWorker } from './workerPort';
import { hasEnded } from './workerPort';

export class AllEndedWatch {
  private readonly stoppedOnRequest = new WeakSet<ManagedWorker>();
  private reported = false;

  noteRequestedStop(worker: ManagedWorker): void {
    this.stoppedOnRequest.add(worker);
  }

  forgetRequestedStop(worker: ManagedWorker): void {
    this.stoppedOnRequest.delete(worker);
    this.reported = false;
  }

  /** The exit status to end with, once; undefined while anything runs or may restart. */
  check(workers: ManagedWorker[], lastChanged: ManagedWorker | undefined): number | undefined {
    if (this.reported || workers.length === 0) return undefined;
    const statuses = workers.map((worker) => worker.status());
    if (!statuses.every(hasEnded)) return undefined;
    if (workers.every((worker) => this.stoppedOnRequest.has(worker))) return undefined;
    this.reported = true;
    const last = lastChanged?.status() ?? statuses[statuses.length - 1];
    if (last.state === 'failed') return last.exitCode && last.exitCode > 0 ? last.exitCode : 1;
    return last.exitCode ?? 0;
  }
}
