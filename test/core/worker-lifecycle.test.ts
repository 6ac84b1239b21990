import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Guardian } from '../../supervisor/process/guardian';
import { readCmdline } from '../../supervisor/process/procfs';
import { assertNoLeaks, newMarker, waitUntil } from '../helpers/procs';
import { recordedWorker, testSpec } from '../helpers/workerSpecs';

const guardian = Guardian.start();
after(() => guardian.close());

const fastBackoff = { initialMs: 50, maxMs: 1_000, stableMs: 5_000, maxFastCrashes: 4 };

describe('Worker lifecycle', () => {
  it('runs a simple command under its own pid and stops it on request', async (t) => {
    const marker = newMarker('run-stop');
    const { worker, changes } = recordedWorker(testSpec(marker, 'sleep 60'), guardian);
    const started = performance.now();
    assert.deepEqual(await worker.start(), { ok: true });
    const toRunning = changes.find((c) => c.state === 'running')!.at;
    t.diagnostic(`start() resolved after ${(performance.now() - started).toFixed(1)} ms (running once sleep's process tree was quiet)`);
    assert.ok(toRunning > 0);
    const { pid, state } = worker.status();
    assert.equal(state, 'running');
    await waitUntil(() => readCmdline(pid!) === 'sleep 60', { timeoutMs: 1_000, message: 'pid is sleep itself' });
    const stopping = performance.now();
    await worker.stop();
    t.diagnostic(`stop() took ${(performance.now() - stopping).toFixed(1)} ms`);
    assert.equal(worker.status().state, 'exited');
    assert.equal(worker.status().pid, null);
    // Starting, starting again once spawned (with its pid, waiting for its start-up to settle), running.
    assert.deepEqual(changes.map((c) => c.state), ['starting', 'starting', 'running', 'stopping', 'exited']);
    await worker.stop();
    await assertNoLeaks(marker, { timeoutMs: 0 });
  });

  it('stops a worker that ignores SIGTERM and forked a grandchild: both gone after the stop timeout', async () => {
    const marker = newMarker('stubborn');
    const spec = testSpec(marker, "trap '' TERM; sleep 300 & sleep 300; wait", { stop: { signal: 'SIGTERM', timeoutMs: 300 } });
    const { worker } = recordedWorker(spec, guardian);
    assert.ok((await worker.start()).ok);
    const { pid } = worker.status();
    const started = Date.now();
    const stopped = worker.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual([worker.status().state, worker.status().pid], ['stopping', pid], 'the group still runs while it stops: its pid is shown');
    await stopped;
    assert.ok(Date.now() - started >= 300);
    assert.equal(worker.status().exitCode, 137);
    assert.equal(worker.status().pid, null);
    await assertNoLeaks(marker, { timeoutMs: 0 });
  });

  it('fails start-up with the exit code and the last output lines when the process exits at once', async () => {
    const marker = newMarker('early-exit');
    const { worker } = recordedWorker(testSpec(marker, 'echo loading; echo "Error: no config" >&2; exit 3'), guardian);
    const outcome = await worker.start();
    assert.deepEqual(outcome, { ok: false, reason: 'exited with code 3 during start-up; last output: loading | Error: no config' });
    assert.equal(worker.status().state, 'failed');
    assert.equal(worker.status().exitCode, 3);
    await assertNoLeaks(marker);
  });

  it('quotes a Node crash by its error message, not by the error properties Node prints after it', async () => {
    const marker = newMarker('node-missing');
    const { worker } = recordedWorker(testSpec(marker, `${process.execPath} steward-no-such-script.js`), guardian);
    const outcome = await worker.start();
    assert.match(outcome.ok ? '' : outcome.reason, /^exited with code 1 during start-up; last output: .* \| Error: Cannot find module '.*steward-no-such-script\.js'$/);
    await assertNoLeaks(marker);
  });

  it('fails start-up when a simple command exits at once: bad arguments, or a program that is not on PATH', async () => {
    const marker = newMarker('exec-failure');
    const badArguments = recordedWorker(testSpec(marker, 'sleep abc'), guardian);
    const outcome = await badArguments.worker.start();
    assert.equal(outcome.ok, false);
    assert.match(outcome.ok ? '' : outcome.reason, /^exited with code 1 during start-up; last output: sleep: invalid time interval/);
    assert.equal(badArguments.worker.status().state, 'failed');
    const notFound = recordedWorker(testSpec(marker, 'steward-no-such-program --serve'), guardian);
    const missing = await notFound.worker.start();
    assert.equal(missing.ok ? '' : missing.reason, 'cannot start `steward-no-such-program --serve`: steward-no-such-program: not found on the PATH of the worker');
    const notFoundThroughSh = recordedWorker(testSpec(marker, 'steward-no-such-program --port $PORT'), guardian);
    const missingThroughSh = await notFoundThroughSh.worker.start();
    assert.match(missingThroughSh.ok ? '' : missingThroughSh.reason, /^exited with code 127 during start-up; last output: .*steward-no-such-program.*not found/);
    await assertNoLeaks(marker);
  });

  it('counts a simple command as started once it blocks after its exec, without waiting out the start-up window', async () => {
    const marker = newMarker('blocks-early');
    const { worker } = recordedWorker(testSpec(marker, 'sleep 60'), guardian, { startupWindowMs: 60_000 });
    const started = performance.now();
    assert.deepEqual(await worker.start(), { ok: true });
    assert.ok(performance.now() - started < 30_000, 'start() did not wait for the 60 s window');
    assert.equal(worker.status().state, 'running');
    await worker.stop();
    await assertNoLeaks(marker, { timeoutMs: 0 });
  });

  it('keeps the output printed just before an exit, with and without a final newline', async () => {
    const marker = newMarker('last-words');
    const { worker } = recordedWorker(testSpec(marker, "sleep 0.1; echo 'last line'; printf 'no newline'; exit 1", { restart: 'never' }), guardian);
    assert.ok((await worker.start()).ok);
    await worker.whenState('started');
    await waitUntil(() => worker.status().state === 'exited', { message: 'exited' });
    const texts = worker.logs.tail(10).filter((l) => l.stream === 'stdout').map((l) => l.text);
    assert.deepEqual(texts, ['last line', 'no newline']);
    assert.equal(worker.status().exitCode, 1);
    await assertNoLeaks(marker);
  });

  it('backs off longer after each fast crash, then gives up as failed with the reason', async () => {
    const marker = newMarker('crash-loop');
    const { worker, changes, lines } = recordedWorker(testSpec(marker, 'sleep 0.1; exit 2'), guardian, { backoff: fastBackoff });
    assert.ok((await worker.start()).ok);
    await waitUntil(() => worker.status().state === 'failed', { timeoutMs: 5_000, message: 'failed' });
    const delays = lines.filter((l) => l.text.startsWith('restarting in')).map((l) => l.text);
    assert.deepEqual(delays, ['restarting in 50ms', 'restarting in 100ms', 'restarting in 200ms']);
    const spawns = changes.filter((c) => c.state === 'running').map((c) => c.at);
    const gaps = spawns.slice(1).map((at, i) => at - spawns[i]!);
    assert.ok(gaps[0]! < gaps[1]! && gaps[1]! < gaps[2]!, `gaps between runs grow: ${gaps.join(', ')}`);
    assert.equal(worker.status().reason, 'crashed 4 times in a row, each within 5s of starting (last: exited with code 2)');
    assert.equal(lines.at(-1)?.text, 'not restarting again: crashed 4 times in a row, each within 5s of starting (last: exited with code 2); a reload or `steward restart` tries again', 'its log says it gave up');
    assert.equal(worker.status().restarts, 3);
    await assertNoLeaks(marker);
  });

  it('does not restart a clean exit under on-failure, but does under always', async () => {
    const marker = newMarker('policies');
    const onFailure = recordedWorker(testSpec(marker, 'sleep 0.1'), guardian);
    const always = recordedWorker(testSpec(marker, 'sleep 0.1', { restart: 'always' }), guardian, { backoff: fastBackoff });
    await Promise.all([onFailure.worker.start(), always.worker.start()]);
    await waitUntil(() => onFailure.worker.status().state === 'exited' && always.worker.status().restarts >= 1, { message: 'ends' });
    assert.equal(onFailure.worker.status().restarts, 0);
    await always.worker.stop();
    await assertNoLeaks(marker);
  });

  it('says which processes an exited program left running, in its group or escaped from it, when it stops them', async () => {
    const marker = newMarker('leftovers');
    const inGroup = recordedWorker(testSpec(marker, 'sleep 301 & sleep 0.2', { restart: 'never' }), guardian);
    const escaped = recordedWorker(testSpec(marker, 'setsid sleep 302 & sleep 0.2', { restart: 'never' }), guardian);
    await Promise.all([inGroup.worker.start(), escaped.worker.start()]);
    await waitUntil(() => [inGroup, escaped].every(({ worker }) => worker.status().state === 'exited'), { message: 'both exit' });
    for (const [{ lines }, command] of [[inGroup, 'sleep 301'], [escaped, 'sleep 302']] as const) {
      const said = lines.filter((line) => line.stream === 'system').map((line) => line.text);
      const at = said.indexOf('exited with code 0');
      assert.ok(at >= 0, said.join('\n'));
      assert.match(said[at + 1] ?? '', new RegExp(`^stopped the process it left running: pid \\d+ \\(${command}\\) — `), said.join('\n'));
    }
    await assertNoLeaks(marker, { timeoutMs: 0 });
  });

  it('says nothing of leftovers when the program left none', async () => {
    const marker = newMarker('no-leftovers');
    const { worker, lines } = recordedWorker(testSpec(marker, 'sleep 0.2', { restart: 'never' }), guardian);
    await worker.start();
    await waitUntil(() => worker.status().state === 'exited', { message: 'exits' });
    assert.deepEqual(lines.filter((line) => line.stream === 'system').map((line) => line.text).slice(-1), ['exited with code 0']);
    await assertNoLeaks(marker, { timeoutMs: 0 });
  });

  it('stops at once during a backoff wait, and nothing restarts afterwards', async () => {
    const marker = newMarker('stop-backoff');
    const { worker } = recordedWorker(testSpec(marker, 'sleep 0.1; exit 1'), guardian, { backoff: { ...fastBackoff, initialMs: 10_000 } });
    assert.ok((await worker.start()).ok);
    await waitUntil(() => worker.status().state === 'backoff', { message: 'backoff' });
    const started = Date.now();
    await worker.stop();
    assert.ok(Date.now() - started < 100);
    assert.equal(worker.status().state, 'exited');
    await assertNoLeaks(marker);
  });

  it('restart() gives a new pid and counts the restart', async () => {
    const marker = newMarker('restart');
    const { worker } = recordedWorker(testSpec(marker, 'sleep 60'), guardian);
    await worker.start();
    const before = worker.status().pid;
    assert.deepEqual(await worker.restart(), { ok: true });
    assert.notEqual(worker.status().pid, before);
    assert.equal(worker.status().restarts, 1);
    await worker.stop();
    await assertNoLeaks(marker, { timeoutMs: 0 });
  });
});
