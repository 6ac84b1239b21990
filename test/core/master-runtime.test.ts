/** The runtime directory, socket paths and the one-master lock. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { acquireLock, processStartTime } from '../../supervisor/runtime/lock';
import { ensurePrivateDir, RuntimeDirError, runtimeDir, workspacePaths } from '../../supervisor/runtime/paths';

const scratch = mkdtempSync(join(tmpdir(), 'steward-runtime-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('runtime paths', () => {
  test('STEWARD_RUNTIME_DIR, then XDG_RUNTIME_DIR/steward, then /tmp/steward-<uid>', () => {
    assert.equal(runtimeDir({ STEWARD_RUNTIME_DIR: '/a', XDG_RUNTIME_DIR: '/b' }), '/a');
    assert.equal(runtimeDir({ XDG_RUNTIME_DIR: '/run/user/1000' }), '/run/user/1000/steward');
    assert.equal(runtimeDir({}), `/tmp/steward-${process.getuid!()}`);
  });

  test('each workspace gets its own short socket path, even for a very deep config path', () => {
    const deep = `/${'very-long-directory-name/'.repeat(20)}steward.yaml`;
    const a = workspacePaths(deep, { XDG_RUNTIME_DIR: '/run/user/1000' });
    const b = workspacePaths('/other/steward.yaml', { XDG_RUNTIME_DIR: '/run/user/1000' });
    assert.ok(Buffer.byteLength(a.socket) < 100, a.socket);
    assert.notEqual(a.socket, b.socket);
    assert.equal(workspacePaths(deep, { XDG_RUNTIME_DIR: '/run/user/1000' }).socket, a.socket, 'stable');
  });

  test('the directory is created 0700, and one writable by group or others is refused', () => {
    const dir = join(scratch, 'private');
    ensurePrivateDir(dir);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    chmodSync(dir, 0o755);
    ensurePrivateDir(dir);
    assert.equal(statSync(dir).mode & 0o777, 0o700, 'one only readable by others is made private');
    chmodSync(dir, 0o777);
    assert.throws(() => ensurePrivateDir(dir), (error: unknown) => error instanceof RuntimeDirError && /writable by group or others/.test(error.message));
  });
});

describe('the one-master lock', () => {
  test('the first acquirer wins; a second attempt names the owner; release frees it', () => {
    const lock = join(scratch, 'a.lock');
    const first = acquireLock(lock);
    assert.ok(first.acquired);
    const second = acquireLock(lock);
    assert.ok(!second.acquired && second.owner.pid === process.pid);
    assert.equal(statSync(lock).mode & 0o777, 0o600);
    first.release();
    const third = acquireLock(lock);
    assert.ok(third.acquired);
    third.release();
  });

  test("a dead owner's lock is stale and replaced", () => {
    const lock = join(scratch, 'b.lock');
    const dead = spawnSync('true').pid!;
    writeFileSync(lock, JSON.stringify({ pid: dead, startTime: 1 }));
    const outcome = acquireLock(lock);
    assert.ok(outcome.acquired);
    assert.equal(JSON.parse(readFileSync(lock, 'utf8')).pid, process.pid);
    outcome.release();
  });

  test('a live pid with another start time (a recycled pid) does not hold the lock', () => {
    const lock = join(scratch, 'c.lock');
    writeFileSync(lock, JSON.stringify({ pid: process.pid, startTime: (processStartTime(process.pid) ?? 0) + 1 }));
    const outcome = acquireLock(lock);
    assert.ok(outcome.acquired);
    outcome.release();
  });
});
