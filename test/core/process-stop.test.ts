import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { mayBeYounger, newRunToken, RUN_TOKEN_VAR, stopEscaped, sweepLater, sweepNow } from '../../supervisor/process/escaped';
import { groupMembers, isAlive, isPortFree, portHolder, readPidClock, readStat } from '../../supervisor/process/procfs';
import { spawnProcess } from '../../supervisor/process/spawn';
import { stopGroup } from '../../supervisor/process/stop';
import { assertNoLeaks, MARKER_VAR, markedProcesses, newMarker, waitUntil } from '../helpers/procs';

function start(marker: string, command: string) {
  return spawnProcess({
    command,
    cwd: tmpdir(),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', [MARKER_VAR]: marker },
    onLines: () => undefined,
    leftovers: { signal: 'SIGTERM', timeoutMs: 300 },
  });
}

describe('stopping a process group', () => {
  it('SIGKILLs a leader that ignores SIGTERM and its grandchild once the timeout passes', async (t) => {
    const marker = newMarker('ignores-term');
    const proc = await start(marker, "trap '' TERM; sleep 300 & sleep 300; wait");
    await waitUntil(() => groupMembers(proc.pgid).length === 3, { message: 'sh and two sleeps in the group' });
    const started = Date.now();
    const { killed } = await proc.stop('SIGTERM', 400);
    const elapsed = Date.now() - started;
    t.diagnostic(`stopped in ${elapsed} ms with a 400 ms timeout`);
    assert.ok(killed);
    assert.ok(elapsed >= 400 && elapsed < 1_500, `took ${elapsed} ms`);
    assert.deepEqual(groupMembers(proc.pgid), []);
    assert.equal((await proc.exited).signal, 'SIGKILL');
    await assertNoLeaks(marker, { timeoutMs: 0 });
  });

  it('returns as soon as a cooperative group is gone', async (t) => {
    const marker = newMarker('stop-latency');
    const proc = await start(marker, 'sleep 60');
    const started = performance.now();
    assert.deepEqual(await proc.stop('SIGTERM', 5_000), { killed: false });
    t.diagnostic(`stop latency for sleep 60: ${(performance.now() - started).toFixed(1)} ms`);
    await assertNoLeaks(marker, { timeoutMs: 0 });
  });

  it('is harmless on a group that is already gone', async () => {
    const marker = newMarker('gone');
    const proc = await start(marker, 'true');
    await proc.exited;
    assert.deepEqual(await stopGroup(proc.pgid, 'SIGTERM', 100), { killed: false });
  });

  it('does not report the exit before a grandchild left behind by the leader is gone', async () => {
    const marker = newMarker('leftover');
    const proc = await start(marker, 'sleep 300 & echo forked');
    const exit = await proc.exited;
    assert.equal(exit.status, 0);
    assert.deepEqual(markedProcesses(marker), []);
  });
});

describe('processes that escaped their worker group', () => {
  it('are found by the run token and stopped with their worker, while other workers’ groups are left alone', async () => {
    const marker = newMarker('escaped');
    const neighbour = await start(marker, 'sleep 303 & exec sleep 304');
    const escaper = await start(marker, "sh -c '(setsid sleep 301 &); exec sleep 302'");
    try {
      await waitUntil(() => markedProcesses(marker).filter((p) => p.command.startsWith('sleep 30')).length === 4, { message: 'both workers and their children run' });
      const escapee = markedProcesses(marker).find((p) => p.command === 'sleep 301')!;
      assert.notEqual(readStat(escapee.pid)?.pgid, escaper.pgid, 'the escapee left the group');
      await escaper.stop('SIGTERM', 1_000);
      await escaper.exited;
      // Well before the full pass owed after a quiet second (sweepLater): the filtered pass itself found it.
      await waitUntil(() => !markedProcesses(marker).some((p) => p.command === 'sleep 301'), { timeoutMs: 500, message: 'the escapee stopped with its worker' });
      assert.deepEqual(markedProcesses(marker).map((p) => p.command).sort(), ['sleep 303', 'sleep 304'], 'the neighbour group runs on');
    } finally {
      await neighbour.stop('SIGTERM', 1_000);
      await assertNoLeaks(marker);
    }
  });
});

describe('workers stopped at once', () => {
  it('each have their escapee found by the quick pass, whichever started first', async () => {
    const marker = newMarker('escaped-together');
    const escapers = [];
    for (const n of [311, 312, 313]) escapers.push(await start(marker, `sh -c '(setsid sleep ${n} &); exec sleep ${n + 10}'`));
    try {
      const sleeps = () => markedProcesses(marker).filter((p) => p.command.startsWith('sleep 3'));
      await waitUntil(() => sleeps().length === 6, { message: 'three workers and their escapees run' });
      assert.equal(new Set(sleeps().map((p) => readStat(p.pid)?.pgid)).size, 6, 'each escapee in a group of its own');
      await Promise.all(escapers.map(async (escaper) => {
        await escaper.stop('SIGTERM', 1_000);
        await escaper.exited;
      }));
      // Well before the full pass owed after a quiet second.
      await waitUntil(() => markedProcesses(marker).length === 0, { timeoutMs: 500, message: 'every escapee stopped with its worker' });
    } finally {
      await Promise.all(escapers.map((escaper) => escaper.stop('SIGKILL', 100)));
      await assertNoLeaks(marker);
    }
  });
});

describe('the pass filtered by pid order', () => {
  const clock = (lastPid: number, forks: number, pidMax = 32_768, tasks = 100) => ({ lastPid, forks, tasks, pidMax });

  it('asks only about pids handed out after the leader, across the wrap at pid_max', () => {
    const born = { pid: 1_000, forksBefore: 50 };
    assert.deepEqual([999, 1_000, 1_001, 1_200, 1_201].map((pid) => mayBeYounger(pid, born, clock(1_200, 260))), [false, false, true, true, false]);
    const nearTheTop = { pid: 32_700, forksBefore: 50 };
    assert.deepEqual([32_699, 32_701, 32_767, 300, 400, 401].map((pid) => mayBeYounger(pid, nearTheTop, clock(400, 220))), [false, true, true, true, true, false]);
    assert.equal(mayBeYounger(1_001, born, clock(1_000, 50)), false, 'nothing handed out since: nothing younger');
  });

  it('asks about every pid once so many forks happened that the pid cycle may have come round', () => {
    const born = { pid: 1_000, forksBefore: 50 };
    const free = 32_768 - 300 - 100;
    assert.equal(mayBeYounger(999, born, clock(1_200, 50 + free / 2 - 1)), false);
    assert.equal(mayBeYounger(999, born, clock(1_200, 50 + free / 2)), true);
    assert.equal(mayBeYounger(999, born, clock(1_200, 50 + 250, 32_768, 32_000)), true, 'with 468 pids free, 250 forks may have come round');
  });

  it('places a process spawned after the leader inside the span, as the kernel counts', async () => {
    const before = readPidClock()!;
    const leader = spawn('sleep', ['5'], { stdio: 'ignore' });
    const later = spawn('sleep', ['5'], { stdio: 'ignore' });
    try {
      const now = readPidClock()!;
      assert.ok(now.forks >= before.forks + 2, 'both spawns counted');
      assert.equal(mayBeYounger(later.pid!, { pid: leader.pid!, forksBefore: before.forks }, now), true);
    } finally {
      leader.kill('SIGKILL');
      later.kill('SIGKILL');
    }
  });

  it('owes a full pass that stops a carrier the filtered one was told to skip', async () => {
    const marker = newMarker('swept');
    const token = newRunToken();
    const carrier = spawn('sleep', ['300'], { env: { PATH: process.env.PATH, [MARKER_VAR]: marker, [RUN_TOKEN_VAR]: token }, detached: true, stdio: 'ignore' });
    try {
      await once(carrier, 'spawn');
      // Full passes owed for the workers of earlier tests would share the pass below and read every pid.
      await sweepNow();
      const now = readPidClock()!;
      // A leader "born" after the carrier: the carrier's pid is outside the span the filtered pass reads.
      assert.deepEqual(await stopEscaped(token, 'SIGTERM', 300, 0, { pid: now.lastPid, forksBefore: now.forks }), []);
      assert.ok(isAlive(carrier.pid!), 'skipped by the filtered pass');
      assert.equal(await sweepLater(token, 'SIGTERM', 300, 0), 1);
      await waitUntil(() => !isAlive(carrier.pid!), { message: 'stopped by the owed full pass' });
    } finally {
      carrier.kill('SIGKILL');
      await assertNoLeaks(marker);
    }
  });
});

describe('procfs', () => {
  it('reads pid, parent, group and start time of a process', () => {
    const stat = readStat(process.pid)!;
    assert.equal(stat.ppid, process.ppid);
    assert.ok(stat.startTime > 0);
    assert.equal(readStat(2 ** 22 + 1), null);
  });

  it('names the pid and command line holding a port', async () => {
    const marker = newMarker('port-holder');
    const holder = spawn(process.execPath, ['-e', "require('net').createServer().listen(0, '127.0.0.1', function () { console.log(this.address().port) })", marker], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [chunk] = (await once(holder.stdout, 'data')) as [Buffer];
      const port = Number(chunk.toString());
      assert.equal(await isPortFree(port), false);
      const found = portHolder(port);
      assert.equal(found?.pid, holder.pid);
      assert.match(found!.command, new RegExp(`node.*${marker}`));
    } finally {
      holder.kill('SIGKILL');
      await once(holder, 'exit');
    }
  });
});
