/**
 * cold-start, restart-all, reload-one, reload-noop and stop-all (and so the
 * scale points): per repetition one session is started, driven through every
 * control of the tool, stopped, and checked for leaks.
 */
import { type Fleet, makeFleet, withChangedWorker, type WorkerKind } from '../lib/fleet';
import type { RowKey } from '../lib/results';
import { now } from '../lib/timing';
import { assertKept, type PidMap, waitAllGone, waitUp } from '../lib/verify';
import type { Control, ToolDriver } from '../tools/tool';
import { type BenchContext, withSession } from './context';

interface Cycle {
  context: BenchContext;
  fleet: Fleet;
  pids: PidMap;
}

function key(scenario: string, tool: string, cycle: Cycle): RowKey {
  return { scenario, tool, workers: cycle.fleet.kind, n: cycle.fleet.workers.length };
}

async function restartAll(cycle: Cycle, control: Control): Promise<void> {
  if (!control.restartAll) return;
  const started = now();
  await control.restartAll();
  cycle.pids = await waitUp(cycle.context.index, cycle.fleet, { previous: cycle.pids, after: `${control.tool} restart-all` });
  cycle.context.recorder.sample(key('restart-all', control.tool, cycle), 'ms', now() - started);
}

/** One changed worker: only it gets a new pid; then the same config again: nobody does. */
async function reloads(cycle: Cycle, control: Control): Promise<void> {
  if (!control.apply) return;
  const { index, recorder } = cycle.context;
  const changed = withChangedWorker(cycle.fleet, 'w0');
  control.prepare?.(changed);
  let started = now();
  await control.apply(changed);
  const pids = await waitUp(index, changed, { previous: cycle.pids, only: ['w0'], after: `${control.tool} reload-one` });
  recorder.sample(key('reload-one', control.tool, cycle), 'ms', now() - started);
  assertKept(index, changed, cycle.pids, ['w0']);
  cycle.fleet = changed;
  cycle.pids = pids;
  started = now();
  await control.apply(changed);
  recorder.sample(key('reload-noop', control.tool, cycle), 'ms', now() - started);
  assertKept(index, changed, cycle.pids);
}

async function lifecycleOnce(context: BenchContext, driver: ToolDriver, kind: WorkerKind, count: number): Promise<void> {
  const fleet = makeFleet(kind, count);
  await withSession(context, driver, fleet, async (session) => {
    const started = now();
    await session.start();
    const cycle: Cycle = { context, fleet, pids: await waitUp(context.index, fleet) };
    context.recorder.sample(key('cold-start', driver.name, cycle), 'ms', now() - started);
    const daemons = await session.daemonPids();
    for (const control of session.controls()) await restartAll(cycle, control);
    for (const control of session.controls()) await reloads(cycle, control);
    const stopping = now();
    await session.stop();
    await waitAllGone(context.index, fleet.tag, daemons);
    context.recorder.sample(key('stop-all', driver.name, cycle), 'ms', now() - stopping);
  });
}

/** Every tool × worker kind × count, `reps` times; scale adds `scaleCount` sleep workers. */
export async function runLifecycle(context: BenchContext, log: (line: string) => void): Promise<void> {
  const { counts, kinds, scaleCount, reps } = context.settings;
  const plan = counts.flatMap((n) => kinds.map((kind): [WorkerKind, number] => [kind, n]));
  if (scaleCount !== null) plan.push(['sleep', scaleCount]);
  for (const [kind, count] of plan) {
    for (const driver of context.drivers) {
      log(`lifecycle ${driver.name} ${kind} x${count}`);
      try {
        for (let rep = 0; rep < reps; rep++) await lifecycleOnce(context, driver, kind, count);
      } catch (error) {
        context.recorder.fail(`lifecycle ${driver.name} ${kind} x${count}`, error);
      }
    }
  }
}
