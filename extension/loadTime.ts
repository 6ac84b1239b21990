/**
 * Imported first by extension.ts, so this runs before the bundle evaluates
 * its other modules: the activation time we report includes loading them.
 */
export const LOAD_STARTED_AT = performance.now();
