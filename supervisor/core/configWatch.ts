/**
 * Reload when the config file or an env file beside it changes (`up
 * --watch`; the editor's reload-on-save setting goes through steward/reload
 * instead). The directory is watched, not the file: editors often save by
 * writing a new file and renaming it over the old one, which a file watch
 * would lose. Bursts of events are debounced into one reload, which costs
 * nothing when the change was not one (the no-op reload).
 */
import { watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Master } from './master';

/** The config itself, the env files its last read used in its directory, and any `.env*` there (one that does not read yet). */
function isWatched(changed: string, master: Master): boolean {
  if (changed === basename(master.configFile) || changed.startsWith('.env')) return true;
  const read = master.lastConfigRead();
  const dir = dirname(master.configFile);
  return read?.ok === true && Object.keys(read.config.envFiles ?? {}).some((file) => dirname(file) === dir && basename(file) === changed);
}

export const WATCH_DEBOUNCE_MS = 300;

export function watchConfigFile(master: Master, debounceMs = WATCH_DEBOUNCE_MS): () => void {
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(dirname(master.configFile), (_event, changed) => {
    if (changed !== null && !isWatched(changed.toString(), master)) return;
    clearTimeout(timer);
    timer = setTimeout(() => void master.reload({ trigger: 'save' }).catch(() => undefined), debounceMs);
  });
  watcher.on('error', () => watcher.close());
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
