/**
 * The trust rule for control, kept pure for unit tests: a window in an
 * untrusted workspace never reloads, starts, stops or restarts workers —
 * whoever started the master. It may control only a master that runs no
 * worker anyway (one started with --untrusted: a reload there validates,
 * `down` stops nothing). The master enforces the same rule on its side
 * (StewardInitializationOptions); this one explains it before asking.
 */
import type { StatusSnapshot } from '../shared/protocol';

export function mayControl(trusted: boolean, snapshot: StatusSnapshot | undefined): boolean {
  return trusted || snapshot?.workersEnabled === false;
}

export const UNTRUSTED_CONTROL_MESSAGE =
  'Steward: this workspace is not trusted, so this window does not reload, start, stop or restart workers; the running ones are left as they are. Status, logs and diagnostics still work.';

export const UNTRUSTED_SAVE_MESSAGE =
  'Steward: saved, not reloaded: this workspace is not trusted, so this window does not reload the workers. Trust it, or reload from a trusted window or `steward reload`.';
