/**
 * Regression tests for the failures the chaos scenarios found, each reduced
 * to the smallest deterministic case (the scenario names the file that
 * found it).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { readStat } from '../../supervisor/process/procfs';
import { reapStrays, writeStrayRecord } from '../../supervisor/process/strays';
import { assertNoLeaks, isAlive, killMarked, MARKER_VAR, markedProcesses, newMarker, waitUntil } from '../helpers/procs';

/** A detached group whose leader exits at once, leaving a background child behind. */
async function groupWithDeadLeader(env: Record<string, string>): Promise<{ leader: number; startTime: number }> {
  const child = spawn('sh', ['-c', 'sleep 300 & exit 0'], { detached: true, stdio: 'ignore', env: { PATH: process.env.PATH ?? '', ...env } });
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
