/**
 * Must-show 4 and 5 of issue 4: a SIGKILLed master leaves no worker or
 * grandchild behind, and a new master starts clean (reaping strays recorded
 * by the dead one); a worker that ignores SIGTERM and forks a grandchild is
 * gone, grandchild included, after its stop timeout.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cli, pids, status, up, waitForWorkersUp, withWorkspace } from '../helpers/master';
import { assertNoLeaks, isAlive, markedProcesses, readStat, waitUntil } from '../helpers/procs';

const FORKING = `version: 1
workers:
  one:
    command: sh -c 'sleep 300 & exec sleep 301'
  two:
    command: sh -c 'sleep 300 & exec sleep 302'
`;

const STUBBORN = `version: 1
workers:
  stubborn:
    command: sh -c 'trap "" TERM; sleep 300 & while true; do sleep 1; done'
    stop: { signal: SIGTERM, timeout: 1s }
  calm:
    command: sleep 300
`;

function guardianOf(masterPid: number, marker: string): number | undefined {
  return markedProcesses(marker).find((p) => p.ppid === masterPid && p.command.includes('trap'))?.pid;
}

describe('no orphans', () => {
  test('after SIGKILL of the master no worker or grandchild is alive within 2 s, and the next up starts clean', () =>
    withWorkspace('sigkill', FORKING, async (ws) => {
      await up(ws);
      const first = await waitForWorkersUp(ws);
      assert.ok(markedProcesses(ws.marker).filter((p) => p.command.startsWith('sleep')).length === 4, 'two workers and two grandchildren run');
      process.kill(first.pid, 'SIGKILL');
      await assertNoLeaks(ws.marker, { timeoutMs: 2_000 });

      await up(ws);
      const second = await waitForWorkersUp(ws);
      assert.notEqual(second.pid, first.pid);
      assert.equal(second.state, 'running');
      assert.equal(second.workers.length, 2);
    }));

  test('when master and guardian are both SIGKILLed, the next master reaps the recorded strays before starting', () =>
    withWorkspace('strays', FORKING, async (ws) => {
      await up(ws);
      const first = await waitForWorkersUp(ws);
      const guardian = guardianOf(first.pid, ws.marker);
      assert.ok(guardian, 'the master runs a guardian');
      process.kill(guardian, 'SIGKILL');
      process.kill(first.pid, 'SIGKILL');
      const orphans = Object.values(pids(first)) as number[];
      assert.ok(orphans.every(isAlive), 'with both dead, the workers live on as orphans');

      const result = await up(ws);
      assert.equal(result.code, 0);
      assert.ok(orphans.every((pid) => !isAlive(pid)), 'the new master reaped them');
      const second = await waitForWorkersUp(ws);
      const sleepers = () => markedProcesses(ws.marker).filter((p) => p.command.startsWith('sleep'));
      await waitUntil(() => sleepers().length === 4, { timeoutMs: 3_000, message: 'only the new workers and their grandchildren run' }).catch(() => {
        assert.fail(`expected the 2 new workers and 2 grandchildren, found ${JSON.stringify(sleepers())}; old leaders ${orphans}`);
      });
      assert.notDeepEqual(pids(second), pids(first));
    }));

  test('a worker that ignores SIGTERM and forks a grandchild is gone, with the grandchild, after its stop timeout', () =>
    withWorkspace('stubborn', STUBBORN, async (ws) => {
      await up(ws);
      const before = await waitForWorkersUp(ws);
      const stubborn = before.workers.find((w) => w.name === 'stubborn')!;
      const group = readStat(stubborn.pid!)!.pgid;
      const inGroup = () => markedProcesses(ws.marker).filter((p) => p.pgid === group);
      assert.ok(inGroup().length >= 2, 'the worker and its grandchild run in one group');
      const started = Date.now();
      const stop = await cli(ws, ['stop', 'stubborn']);
      const took = Date.now() - started;
      assert.equal(stop.code, 0, stop.stdout + stop.stderr);
      assert.match(stop.stdout, /stubborn\[0\]: exited/);
      assert.ok(took >= 900, `the stop waited for the timeout (${took} ms)`);
      assert.deepEqual(inGroup(), [], 'the whole group is gone');
      const after = await status(ws);
      assert.equal(after.workers.find((w) => w.name === 'calm')?.pid, before.workers.find((w) => w.name === 'calm')?.pid);
      const logs = await cli(ws, ['logs', 'stubborn']);
      assert.match(logs.stdout, /SIGKILL after 1s/);
    }));
});
