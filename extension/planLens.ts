/**
 * The reload code lens above steward.yaml carries the document version its
 * plan was computed from (PlanLensArgument). VS Code re-asks for lenses only
 * after a debounce, so for a moment after an edit it may still show a plan
 * for older text (QA: "reload will restart oneshot" above a buffer with an
 * error); a click on such a lens must not act on that plan. Pure, unit-tested.
 */
import type { PlanLensArgument } from '../shared/protocol';

/** True when `argument` is a plan lens's and the document has changed since its plan was computed. */
export function isStalePlanLens(argument: unknown, currentVersion: number | undefined): boolean {
  if (typeof argument !== 'object' || argument === null || typeof (argument as PlanLensArgument).version !== 'number') return false;
  return currentVersion !== undefined && (argument as PlanLensArgument).version !== currentVersion;
}
