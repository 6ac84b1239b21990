/**
 * Imported first by extension.ts, so this runs before the bundle evaluates
 * its other modules. What Steward adds to start-up is evaluating its modules
 * plus the activate() call; the extension host's own work between loading
 * the module and calling activate() (extension context, storage; measured
 * ≈200 ms on a busy 2-core machine) is not ours and is left out.
 */
export const LOAD_STARTED_AT = performance.now();
