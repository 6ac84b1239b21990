/**
 * Follows the master's state across pushes to tell when it enters or leaves
 * wait mode. Pure (no `vscode`), unit-tested. A reload out of wait mode is
 * pushed as wait → reloading → running (or wait → running when pushes
 * coalesce); comparing each push with the one before it would miss the first
 * (QA: no "Wait mode ended" after a save or `steward reload`), so the
 * comparison is with the last settled state — `reloading` is a passage, not
 * a place.
 */
import type { StatusSnapshot } from '../shared/protocol';
import { waitTransition, type WaitTransition } from './render';

export class WaitTracker {
  private settled: StatusSnapshot | undefined;

  /** Whether this push entered or left wait mode since the last settled one. */
  next(snapshot: StatusSnapshot): WaitTransition {
    const transition = waitTransition(this.settled, snapshot);
    if (snapshot.state !== 'reloading') this.settled = snapshot;
    return transition;
  }
}
