/**
 * Reload when the config file or an env file it names changes (`up
 * --watch`; the editor's reload-on-save setting goes through steward/reload
 * instead). Directories are watched, not files: editors often save by
 * writing a new file and renaming it over the old one, which a file watch
 * would lose. The config's directory, and each directory holding one of its
 * env files, looked at again after every reload. Bursts of events are
 * debounced into one reload, which costs nothing when nothing changed (the
 * no-op reload).
 */
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Master } from './master';

export const WATCH_DEBOUNCE_MS = 300;

export function watchConfigFile(master: Master, debounceMs = WATCH_DEBOUNCE_MS): () => void {
  let timer: NodeJS.Timeout | undefined;
  const watchers = new Map<string, FSWatcher>();
  const reloadSoon = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => void master.reload({ trigger: 'save' }).catch(() => undefined), debounceMs);
  };
  const sync = (): void => {
    const dirs = new Set([dirname(master.configFile), ...master.envFiles().map((file) => dirname(file))]);
    for (const [dir, watcher] of watchers) {
      if (dirs.has(dir)) continue;
      watcher.close();
      watchers.delete(dir);
    }
    for (const dir of dirs) {
      if (watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, (_event, changed) => {
          if (changed === null || isWatched(join(dir, changed.toString()), master)) reloadSoon();
        });
        watcher.on('error', () => watcher.close());
        watchers.set(dir, watcher);
      } catch {
        // A directory that does not exist (yet): its env file's absence is the reload's error; looked at again after the next.
      }
    }
  };
  sync();
  const unsubscribe = master.onReload(sync);
  return () => {
    unsubscribe();
    clearTimeout(timer);
    for (const watcher of watchers.values()) watcher.close();
  };
}

/** The config itself, an env file its last read or running config names, and any `.env*` beside the config (one not named yet). */
function isWatched(changed: string, master: Master): boolean {
  if (changed === master.configFile) return true;
  if (dirname(changed) === dirname(master.configFile) && basename(changed).startsWith('.env')) return true;
  return master.envFiles().includes(changed);
}
