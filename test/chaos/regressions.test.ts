/**
 * Regression tests for the failures the chaos scenarios found, each reduced
 * to the smallest deterministic case (the scenario names the file that
 * found it).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfigFile } from '../../supervisor/config/load';
import { newRunToken, RUN_TOKEN_VAR } from '../../supervisor/process/escaped';
import { Guardian } from '../../supervisor/process/guardian';
import { readStat } from '../../supervisor/process/procfs';
import { spawnProcess } from '../../supervisor/process/spawn';
import { reapStrays, writeStrayRecord } from '../../supervisor/process/strays';
import { assertNoLeaks, isAlive, killMarked, MARKER_VAR, markedProcesses, newMarker, waitUntil } from '../helpers/procs';

/** A detached group whose leader exits at once, leaving a background child behind. */
async function groupWithDeadLeader(env: Record<string, string>, script = 'sleep 300 & exit 0'): Promise<{ leader: number; startTime: number }> {
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore', env: { PATH: process.env.PATH ?? '', ...env } });
  const leader = child.pid!;
  const startTime = readStat(leader)!.startTime;
  await new Promise((resolve) => child.once('exit', resolve));
  await waitUntil(() => !isAlive(leader), { message: 'the leader is gone' });
  return { leader, startTime };
}

describe('reaping strays of a dead master (found by master-kill.test.ts)', () => {
  test('a recorded group whose leader died but whose grandchild lives on is reaped', async () => {
    const marker = newMarker('stray-dead-leader');
    const dir = mkdtempSync(join(tmpdir(), 'steward-strays-'));
    const file = join(dir, 'strays.json');
    try {
      const { leader, startTime } = await groupWithDeadLeader({ [MARKER_VAR]: marker, STEWARD_WORKER: 'slow' });
      assert.equal(markedProcesses(marker).length, 1, 'the grandchild outlived its leader');
      writeStrayRecord(file, [{ pid: leader, pgid: leader, startTime, command: 'sh' }]);
      const reaped = await reapStrays(file);
      assert.deepEqual(reaped.map((r) => r.pid), [leader]);
      await assertNoLeaks(marker, { timeoutMs: 2_000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('members of such a group without a worker identity are left alone (not ours to kill)', async () => {
    const marker = newMarker('stray-foreign');
    const dir = mkdtempSync(join(tmpdir(), 'steward-strays-'));
    const file = join(dir, 'strays.json');
    try {
      const { leader, startTime } = await groupWithDeadLeader({ [MARKER_VAR]: marker });
      writeStrayRecord(file, [{ pid: leader, pgid: leader, startTime, command: 'sh' }]);
      assert.deepEqual(await reapStrays(file), []);
      assert.equal(markedProcesses(marker).length, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      killMarked(marker);
    }
  });
});

describe('a worker that double-forks into a new session (found by workers.test.ts)', () => {
  const escaping = "sh -c '(setsid sleep 300 &); exit 0'";

  test('is stopped with its worker although it left the process group', async () => {
    const marker = newMarker('escaped');
    const proc = await spawnProcess({
      command: escaping,
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? '', [MARKER_VAR]: marker },
      onLines: () => undefined,
      leftovers: { signal: 'SIGTERM', timeoutMs: 1_000 },
    });
    await proc.exited;
    await assertNoLeaks(marker, { timeoutMs: 1_000 });
  });

  test('is reaped by the next master from the run token in the stray record', async () => {
    const marker = newMarker('escaped-stray');
    const dir = mkdtempSync(join(tmpdir(), 'steward-strays-'));
    const file = join(dir, 'strays.json');
    const token = `test-${marker}`;
    try {
      const { leader, startTime } = await groupWithDeadLeader({ [MARKER_VAR]: marker, [RUN_TOKEN_VAR]: token }, escaping);
      await waitUntil(() => markedProcesses(marker).length === 1, { message: 'the escaped sleep runs' });
      writeStrayRecord(file, [{ pid: leader, pgid: leader, startTime, command: escaping, runToken: token }]);
      await reapStrays(file);
      await assertNoLeaks(marker, { timeoutMs: 2_000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a config path that is no regular file (found by config-file.test.ts)', () => {
  async function loadWithin(path: string, ms: number) {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still reading after ${ms} ms`)), ms)));
    try {
      return await Promise.race([loadConfigFile(path), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  test('a FIFO nobody writes to and a symlink to /dev/zero are rejected at once, naming what they are', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-special-'));
    try {
      const fifo = join(dir, 'fifo.yaml');
      spawnSync('mkfifo', [fifo]);
      const zero = join(dir, 'zero.yaml');
      symlinkSync('/dev/zero', zero);
      for (const [path, kind] of [[fifo, 'a FIFO'], [zero, 'a device']]) {
        const loaded = await loadWithin(path, 2_000);
        assert.equal(loaded.kind, 'unreadable');
        assert.equal(loaded.kind === 'unreadable' && loaded.error.message, `config file is not a regular file (${kind}): ${path}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a master killed between spawning a worker and guarding its group (found by master-kill.test.ts, 1 kill in 100)', () => {
  test('the guardian still stops the worker, found by the run token announced before the spawn', async () => {
    const marker = newMarker('unguarded-spawn');
    const guardian = Guardian.start();
    const token = newRunToken();
    try {
      guardian.expect(token);
      const child = spawn('sh', ['-c', 'sleep 300 & exec sleep 301'], { detached: true, stdio: 'ignore', env: { PATH: process.env.PATH ?? '', [MARKER_VAR]: marker, [RUN_TOKEN_VAR]: token } });
      child.unref();
      await waitUntil(() => markedProcesses(marker).length === 2, { message: 'worker and grandchild run' });
      await guardian.close(); // EOF, as when the master dies: the "add" never came
      await assertNoLeaks(marker, { timeoutMs: 2_500 });
    } finally {
      killMarked(marker);
    }
  });
});
