import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { Guardian } from '../../supervisor/process/guardian';
import { readStrayRecord, reapStrays, writeStrayRecord } from '../../supervisor/process/strays';
import { spawnProcess } from '../../supervisor/process/spawn';
import { assertNoLeaks, isAlive, markedProcesses, MARKER_VAR, newMarker, sleep, waitUntil } from '../helpers/procs';

/** Starts the fake master and resolves with its child and the pids it reported. */
async function startFakeMaster(marker: string, recordFile: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/fakeMaster.ts', marker, recordFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await waitUntil(() => out.includes('\n'), { timeoutMs: 20_000, message: 'fake master ready' });
  const [, one, two, , guardian] = out.trim().split(' ').map(Number);
  return { child, workerPids: [one!, two!], guardianPid: guardian! };
}

function sleeper(marker: string, guardian?: Guardian) {
  return spawnProcess({
    command: 'sleep 300 & sleep 300; wait',
    cwd: tmpdir(),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', [MARKER_VAR]: marker },
    onLines: () => undefined,
    leftovers: { signal: 'SIGTERM', timeoutMs: 500 },
    guardian,
  });
}

describe('no orphans when the master dies', () => {
  it('stops every worker and grandchild within 2 s of a SIGKILL of the master', async (t) => {
    const marker = newMarker('master-sigkill');
    const dir = mkdtempSync(join(tmpdir(), 'steward-guardian-'));
    try {
      const master = await startFakeMaster(marker, join(dir, 'strays.json'));
      assert.equal(markedProcesses(marker).filter((p) => p.command.startsWith('sleep')).length, 4, 'two workers with a grandchild each');
      assert.equal(readStrayRecord(join(dir, 'strays.json')).length, 2);
      master.child.kill('SIGKILL');
      await once(master.child, 'exit');
      const elapsed = await waitUntil(() => markedProcesses(marker).length === 0, { timeoutMs: 2_000, message: 'all workers gone' });
      t.diagnostic(`workers gone ${elapsed} ms after the master's SIGKILL`);
      await waitUntil(() => !isAlive(master.guardianPid), { timeoutMs: 2_000, message: 'guardian exited' });
    } finally {
      await assertNoLeaks(marker);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ignores SIGINT and SIGHUP, so a Ctrl-C reaches only the master', async () => {
    const marker = newMarker('guardian-int');
    const guardian = Guardian.start();
    const proc = await sleeper(marker, guardian);
    process.kill(guardian.pid!, 'SIGINT');
    process.kill(guardian.pid!, 'SIGHUP');
    await sleep(200);
    assert.ok(isAlive(guardian.pid!));
    await proc.stop('SIGTERM', 1_000);
    await proc.exited;
    assert.deepEqual(guardian.groups(), []);
    const closed = Date.now();
    await guardian.close();
    assert.ok(Date.now() - closed < 500, 'with nothing left to guard it exits at once');
    await assertNoLeaks(marker);
  });

  it('is replaced when killed, and the replacement still guards every group', async () => {
    const marker = newMarker('guardian-replaced');
    const guardian = Guardian.start();
    const first = guardian.pid!;
    await sleeper(marker, guardian);
    process.kill(first, 'SIGKILL');
    await waitUntil(() => guardian.pid !== first, { message: 'a new guardian' });
    await guardian.close();
    await assertNoLeaks(marker, { timeoutMs: 2_000 });
  });
});

describe('run tokens', () => {
  it('hands out a token that is on record before its spawn, records the next one ahead, and forgets that one on close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-guardian-'));
    const recordFile = join(dir, 'strays.json');
    const guardian = Guardian.start({ recordFile });
    const spawning = () => (JSON.parse(readFileSync(recordFile, 'utf8')) as { spawning: string[] }).spawning;
    try {
      const first = await guardian.runToken();
      assert.ok(spawning().includes(first), 'the first token is written before it is handed out');
      const [spare] = spawning().filter((token) => token !== first);
      assert.ok(spare, 'a spare is recorded with it');
      let handedOut: string | undefined;
      const second = guardian.runToken().then((token) => (handedOut = token));
      await Promise.resolve();
      assert.equal(handedOut, spare, 'the spare comes without waiting for a record write');
      await second;
      await waitUntil(() => spawning().length === 3, { message: 'the next spare recorded' });
      guardian.forget(first);
      await waitUntil(() => !spawning().includes(first), { message: 'a token whose spawn did not happen leaves the record' });
      await guardian.close();
      await waitUntil(() => spawning().length === 1, { message: 'closing forgets the spare no spawn will use' });
      assert.deepEqual(spawning(), [spare]);
    } finally {
      await guardian.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a stopped worker\'s token', () => {
  it('stays on record, guarded, until the full pass owed for its escapees has run', async () => {
    const marker = newMarker('kept-token');
    const dir = mkdtempSync(join(tmpdir(), 'steward-guardian-'));
    const recordFile = join(dir, 'strays.json');
    const guardian = Guardian.start({ recordFile });
    const spawning = () => (JSON.parse(readFileSync(recordFile, 'utf8')) as { spawning: string[] }).spawning;
    try {
      const worker = await sleeper(marker, guardian);
      await waitUntil(() => guardian.groups().includes(worker.pgid), { message: 'the worker is guarded' });
      const token = /STEWARD_RUN=([^\0]+)/.exec(readFileSync(`/proc/${worker.pid}/environ`, 'latin1'))![1]!;
      await worker.stop('SIGTERM', 1_000);
      await worker.exited;
      assert.deepEqual(guardian.groups(), [], 'the group is no longer guarded once gone');
      await sleep(50);
      assert.ok(spawning().includes(token), 'its token is still on record');
      await waitUntil(() => !spawning().includes(token), { timeoutMs: 3_000, message: 'the token leaves the record after the owed pass' });
    } finally {
      await guardian.close();
      rmSync(dir, { recursive: true, force: true });
      await assertNoLeaks(marker);
    }
  });
});

describe('reaping strays recorded by an earlier master', () => {
  /** A running group and a record file listing it, as a dead master (and its dead guardian) would leave them. */
  async function recordedSleeper(marker: string) {
    const dir = mkdtempSync(join(tmpdir(), 'steward-strays-'));
    const file = join(dir, 'strays.json');
    const proc = await sleeper(marker);
    writeStrayRecord(file, [{ pid: proc.pid, pgid: proc.pgid, startTime: proc.startTime, command: 'sleep 300' }]);
    const cleanup = () => rmSync(dir, { recursive: true, force: true });
    return { proc, file, cleanup };
  }

  it('stops a recorded group whose leader is the very process recorded', async () => {
    const marker = newMarker('strays');
    const { proc, file, cleanup } = await recordedSleeper(marker);
    try {
      const reaped = await reapStrays(file);
      assert.deepEqual(reaped.map((r) => r.pid), [proc.pid]);
      await assertNoLeaks(marker, { timeoutMs: 1_000 });
      assert.deepEqual(readStrayRecord(file), []);
    } finally {
      cleanup();
    }
  });

  it('never kills a process whose start time differs from the record (a recycled pid)', async () => {
    const marker = newMarker('recycled');
    const { proc, file, cleanup } = await recordedSleeper(marker);
    try {
      const [record] = readStrayRecord(file);
      writeStrayRecord(file, [{ ...record!, startTime: record!.startTime - 1 }]);
      assert.deepEqual(await reapStrays(file), []);
      assert.ok(isAlive(proc.pid));
    } finally {
      await proc.stop('SIGTERM', 1_000);
      cleanup();
      await assertNoLeaks(marker);
    }
  });

  it('finds nothing to reap without a record file', async () => {
    assert.deepEqual(await reapStrays(join(tmpdir(), 'steward-no-such-record.json')), []);
  });
});
