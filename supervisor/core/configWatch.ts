/**
 * Reload when the config file changes (`up --watch`; the editor's
 * reload-on-save setting goes through steward/reload instead). The
 * directory is watched, not the file: editors often save by writing a new
 * file and renaming it over the old one, which a file watch would lose.
 * Bursts of events are debounced into one reload.
 */
import { watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Master } from './master';

export const WATCH_DEBOUNCE_MS = 300;

export function watchConfigFile(master: Master, debounceMs = WATCH_DEBOUNCE_MS): () => void {
  const name = basename(master.configFile);
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(dirname(master.configFile), (_event, changed) => {
    if (changed !== null && changed.toString() !== name) return;
    clearTimeout(timer);
    timer = setTimeout(() => void master.reload({ trigger: 'save' }).catch(() => undefined), debounceMs);
  });
  watcher.on('error', () => watcher.close());
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
