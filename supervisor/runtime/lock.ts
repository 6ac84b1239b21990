/**
 * One master per workspace: an exclusive lock file created with O_EXCL that
 * holds the owner's pid and its start time (from /proc, so a recycled pid is
 * never mistaken for the owner). A lock whose owner is gone is stale and is
 * replaced; a live owner means another master already serves the workspace.
 */
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { readStat } from '../process/procfs';

export interface LockOwner {
  pid: number;
  /** Kernel start time of the process in clock ticks since boot (/proc/PID/stat field 22); null where /proc is absent. */
  startTime: number | null;
}

export type LockOutcome =
  /** `restore`: recreates the lock file if it went missing (its directory deleted); false when another master took it meanwhile. */
  | { acquired: true; release(): void; restore(): boolean }
  | { acquired: false; owner: LockOwner };

const HAVE_PROC = readStat(process.pid) !== null;

/** Start time of a live, non-zombie process; null when unknown (no /proc); undefined when it is not running. */
export function processStartTime(pid: number): number | null | undefined {
  if (!HAVE_PROC) return signalZeroSucceeds(pid) ? null : undefined;
  const stat = readStat(pid);
  return stat === null || stat.state === 'Z' || stat.state === 'X' ? undefined : stat.startTime;
}

function signalZeroSucceeds(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function isOwnerAlive(owner: LockOwner): boolean {
  const startTime = processStartTime(owner.pid);
  if (startTime === undefined) return false;
  return owner.startTime === null || startTime === null || startTime === owner.startTime;
}

function readOwner(lockFile: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(lockFile, 'utf8')) as LockOwner;
    return typeof owner.pid === 'number' ? owner : undefined;
  } catch {
    return undefined;
  }
}

function tryCreate(lockFile: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockFile, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  const me: LockOwner = { pid: process.pid, startTime: processStartTime(process.pid) ?? null };
  writeSync(fd, JSON.stringify(me));
  closeSync(fd);
  return true;
}

/**
 * Removes a stale lock without racing another master doing the same: the
 * lock is first renamed to a private name; if what we moved away turns out
 * to be a fresh lock (someone replaced the stale one in between), it is
 * linked back (link never overwrites) and we lose.
 */
function breakStaleLock(lockFile: string, stale: LockOwner | undefined): void {
  const aside = `${lockFile}.stale-${process.pid}`;
  try {
    renameSync(lockFile, aside);
  } catch {
    return; // someone else moved it first
  }
  const moved = readOwner(aside);
  const sameStaleLock = moved?.pid === stale?.pid && moved?.startTime === stale?.startTime;
  if (!sameStaleLock) {
    try {
      linkSync(aside, lockFile);
    } catch {
      // a third master created a lock meanwhile; it wins
    }
  }
  unlinkSync(aside);
}

export function acquireLock(lockFile: string): LockOutcome {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (tryCreate(lockFile)) return { acquired: true, release: () => releaseLock(lockFile), restore: () => restoreLock(lockFile) };
    const owner = readOwner(lockFile);
    if (owner && isOwnerAlive(owner)) return { acquired: false, owner };
    if (!owner && attempt === 0) {
      // The owner may be between open and write; give it a moment.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      continue;
    }
    breakStaleLock(lockFile, owner);
  }
  const owner = readOwner(lockFile);
  return { acquired: false, owner: owner ?? { pid: 0, startTime: null } };
}

function restoreLock(lockFile: string): boolean {
  return tryCreate(lockFile) || readOwner(lockFile)?.pid === process.pid;
}

/** Removes the lock only if it is still ours. */
function releaseLock(lockFile: string): void {
  if (readOwner(lockFile)?.pid !== process.pid) return;
  try {
    unlinkSync(lockFile);
  } catch {
    // already gone
  }
}
