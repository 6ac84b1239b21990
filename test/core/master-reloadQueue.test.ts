/** Reload coalescing: at most one running and one queued; every request gets the outcome that covered it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReloadResult } from '../../shared/protocol';
import { type QueuedReload, ReloadQueue } from '../../supervisor/core/reloadQueue';

function controllableExecutor() {
  const runs: { request: QueuedReload; finish: () => void }[] = [];
  const execute = (request: QueuedReload): Promise<ReloadResult> =>
    new Promise((resolve) => {
      const generation = runs.length + 1;
      runs.push({ request, finish: () => resolve({ ok: true, generation, trigger: request.trigger, durationMs: 0, at: '' }) });
    });
  return { runs, execute };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('a burst of 50 requests runs at most two reloads; the first gets the first outcome, the rest share the second', async () => {
  const { runs, execute } = controllableExecutor();
  const queue = new ReloadQueue(execute);
  const outcomes = Array.from({ length: 50 }, (_, i) => queue.request({ all: i === 30, trigger: i === 49 ? 'signal' : 'cli' }));
  assert.equal(runs.length, 1);
  runs[0].finish();
  await tick();
  assert.equal(runs.length, 2);
  assert.deepEqual(runs[1].request, { all: true, trigger: 'signal' }, 'merged: any `all` wins, the latest trigger is kept');
  runs[1].finish();
  const results = await Promise.all(outcomes);
  assert.equal(results[0].generation, 1);
  assert.ok(results.slice(1).every((r) => r.generation === 2));
  assert.equal(queue.executedCount, 2);
  assert.equal(queue.busy, false);
});

test('a request after the queue drained starts a new reload at once', async () => {
  const { runs, execute } = controllableExecutor();
  const queue = new ReloadQueue(execute);
  const first = queue.request({ all: false, trigger: 'cli' });
  runs[0].finish();
  await first;
  await tick();
  void queue.request({ all: false, trigger: 'cli' });
  assert.equal(runs.length, 2);
  runs[1].finish();
  await queue.idle();
  assert.equal(queue.busy, false);
});
