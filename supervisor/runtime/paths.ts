/**
 * Where a workspace's master keeps its private files: the control socket,
 * the one-master lock, the strays record and the detached master's log.
 *
 * Directory: $STEWARD_RUNTIME_DIR (tests isolate with it), else
 * $XDG_RUNTIME_DIR/steward, else /tmp/steward-<uid>. It must be ours and
 * not writable by group or others — the socket is the only door to a process
 * that runs commands, so we refuse to use a directory anyone else could
 * swap files in. File names come from a short hash of the absolute config
 * path: Unix socket paths must stay below ~100 bytes on Linux and macOS.
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface WorkspacePaths {
  /** Absolute path of the workspace's steward.yaml (it may not exist). */
  config: string;
  dir: string;
  socket: string;
  lock: string;
  strays: string;
  log: string;
}

export class RuntimeDirError extends Error {}

export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.STEWARD_RUNTIME_DIR) return resolve(env.STEWARD_RUNTIME_DIR);
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'steward');
  return join('/tmp', `steward-${currentUid()}`);
}

function currentUid(): number {
  return process.getuid?.() ?? 0;
}

/** Creates the runtime directory (0700) if needed, checks that nobody else could write to it, and makes it private. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const info = statSync(dir);
  if (!info.isDirectory()) throw new RuntimeDirError(`${dir} is not a directory`);
  if (info.uid !== currentUid()) {
    throw new RuntimeDirError(`${dir} belongs to uid ${info.uid}, not to you (uid ${currentUid()}); refusing to use it`);
  }
  if ((info.mode & 0o022) !== 0) {
    const mode = (info.mode & 0o777).toString(8);
    throw new RuntimeDirError(`${dir} is writable by group or others (mode ${mode}); refusing to use it (chmod 700 it)`);
  }
  // Readable by others (0755, made by hand): nobody else could have put anything there, so it is only tightened.
  if ((info.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

export function workspacePaths(configFile: string, env: NodeJS.ProcessEnv = process.env): WorkspacePaths {
  const config = resolve(configFile);
  const dir = runtimeDir(env);
  const key = createHash('sha256').update(config).digest('hex').slice(0, 16);
  return {
    config,
    dir,
    socket: join(dir, `${key}.sock`),
    lock: join(dir, `${key}.lock`),
    strays: join(dir, `${key}.strays.json`),
    log: join(dir, `${key}.log`),
  };
}
