/**
 * "Every worker has ended and none will restart". The master then exits
 * with the last worker's status, as HAProxy's does, unless that one ended
 * cleanly and another did not: then with the first unclean one's, so that
 * 0 means every worker ended cleanly. A worker stopped on request (`steward
 * stop`, or the stop within a `steward restart`) did not end on its own:
 * once the user has stopped one by hand, the master stays up, waiting for
 * `start` or `down`, even when the others have ended by themselves.
 */
import type { WorkerStatus } from '../../shared/protocol';
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
    if (workers.some((worker) => this.stoppedOnRequest.has(worker))) return undefined;
    this.reported = true;
    const last = exitStatus(lastChanged?.status() ?? statuses[statuses.length - 1]);
    return last !== 0 ? last : (statuses.map(exitStatus).find((code) => code !== 0) ?? 0);
  }
}

function exitStatus(status: WorkerStatus): number {
  if (status.state === 'failed') return status.exitCode && status.exitCode > 0 ? status.exitCode : 1;
  return status.exitCode ?? 0;
}
