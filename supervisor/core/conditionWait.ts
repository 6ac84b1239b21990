/**
 * Waiting for a condition over worker states without polling: re-checked on
 * every change event, given up at a timeout or as soon as `abandon` holds
 * (the master is stopping); `timeoutMs` null: no timeout. The listener and
 * timer are always released.
 */
export function waitForCondition(
  subscribe: (listener: () => void) => () => void,
  predicate: () => boolean,
  abandon: () => boolean,
  timeoutMs: number | null,
): Promise<boolean> {
  if (predicate()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const finish = (met: boolean): void => {
      clearTimeout(timer);
      unsubscribe();
      resolve(met);
    };
    const unsubscribe = subscribe(() => {
      if (abandon()) finish(false);
      else if (predicate()) finish(true);
    });
    const timer = timeoutMs === null ? undefined : setTimeout(() => finish(predicate()), timeoutMs);
  });
}
