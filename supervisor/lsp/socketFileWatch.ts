/**
 * Tells the control server when its socket file is gone or replaced (a
 * cleanup of /tmp, a stray `rm`, the runtime directory deleted), so it can
 * bind again. Event-driven through inotify (fs.watch on the socket's
 * directory): an idle master wakes up for nothing — a 1 s poll cost ~0.5 %
 * of a core on a VM where every wake-up of a Node process costs ~5 ms
 * (bench/PROFILE.md). Where watching is impossible (no inotify watches left)
 * it falls back to that poll.
 */
import { type FSWatcher, statSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

const FALLBACK_POLL_MS = 1_000;

export class SocketFileWatch {
  private watcher: FSWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;
  private inode: number | undefined;

  /** `onLost` is called (once per loss) when the file at `path` is no longer the one `remember` saw. */
  constructor(
    private readonly path: string,
    private readonly onLost: () => void,
  ) {}

  /** Records the socket just bound as ours and (re)arms the watch on its directory. */
  remember(): void {
    this.inode = inodeOf(this.path);
    this.arm();
  }

  stop(): void {
    this.watcher?.close();
    this.watcher = undefined;
    clearInterval(this.poll);
    this.poll = undefined;
  }

  private arm(): void {
    this.stop();
    const name = basename(this.path);
    try {
      this.watcher = watch(dirname(this.path), { persistent: false }, (_event, file) => {
        if (file === null || file === name) this.check();
      });
      // The directory itself went away: the watch is dead, the check rebinds (and re-arms).
      this.watcher.on('error', () => this.check());
    } catch {
      this.poll = setInterval(() => this.check(), FALLBACK_POLL_MS);
      this.poll.unref();
    }
  }

  private check(): void {
    if (this.inode === undefined || inodeOf(this.path) === this.inode) return;
    this.inode = undefined;
    this.stop();
    this.onLost();
  }
}

function inodeOf(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}
