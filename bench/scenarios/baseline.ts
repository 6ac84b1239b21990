/**
 * The yardstick for reload-one: how long one worker's own stop + start
 * takes with no supervisor at all (the harness spawns and SIGTERMs it).
 * Recorded as tool `direct`, n = 1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { type Fleet, makeFleet, type WorkerKind } from '../lib/fleet';
import { now } from '../lib/timing';
import { assertNoLeaks, waitUp } from '../lib/verify';
import type { BenchContext } from './context';

function spawnWorker(fleet: Fleet): ChildProcess {
  const [worker] = fleet.workers;
  return spawn(worker.program, worker.args, { env: { ...process.env, ...worker.env }, stdio: 'ignore' });
}

async function stopStartOnce(context: BenchContext, kind: WorkerKind): Promise<void> {
  const fleet = makeFleet(kind, 1);
  let child = spawnWorker(fleet);
  try {
    const pids = await waitUp(context.index, fleet);
    const started = now();
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
    child = spawnWorker(fleet);
    await waitUp(context.index, fleet, { previous: pids });
    context.recorder.sample({ scenario: 'reload-one', tool: 'direct', workers: kind, n: 1 }, 'ms', now() - started);
  } finally {
    child.kill('SIGKILL');
    await assertNoLeaks(context.index, fleet.tag);
  }
}

export async function runBaseline(context: BenchContext): Promise<void> {
  for (const kind of ['sleep', 'http'] as const) {
    for (let rep = 0; rep < context.settings.reps; rep++) await stopStartOnce(context, kind);
  }
}
