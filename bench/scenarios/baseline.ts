/**
 * The yardsticks: what the workers' own stop + start takes with no
 * supervisor at all (the harness spawns and SIGTERMs them, and verifies them
 * the same way as every tool's). Recorded as tool `direct`:
 * - reload-one, n = each count: one worker of n stopped and started again;
 * - restart-all, n = each count: every worker stopped at once, then every
 *   one started at once, until all answer with new pids — the floor the
 *   machine sets for a supervisor's restart-all.
 * The harness waits for the new workers as a lean supervisor would (the
 * exec for `sleep`, a loopback connect every 5 ms for `http`) before the
 * verification every tool gets: scanning /proc every few ms while 10 Node
 * workers start would take CPU from them and inflate the floor.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { type Fleet, makeFleet, type WorkerDef } from '../lib/fleet';
import { delay, now } from '../lib/timing';
import { assertNoLeaks, waitUp } from '../lib/verify';
import type { BenchContext } from './context';

function spawnWorker(worker: WorkerDef): ChildProcess {
  return spawn(worker.program, worker.args, { env: { ...process.env, ...worker.env }, stdio: 'ignore' });
}

async function terminate(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const settle = (accepted: boolean) => {
      socket.destroy();
      resolve(accepted);
    };
    socket.once('connect', () => settle(true));
    socket.once('error', () => settle(false));
  });
}

async function whenStarted(child: ChildProcess, worker: WorkerDef): Promise<void> {
  await once(child, 'spawn');
  while (worker.port !== undefined && !(await accepts(worker.port))) await delay(5);
}

type Scenario = 'reload-one' | 'restart-all';

/**
 * Starts the fleet once, then times each scenario on it in turn: the restart
 * of its first worker (reload-one) or of all of them at once (restart-all),
 * until they are up with new pids, verified as every tool's are; cleans up.
 */
async function timeRestarts(context: BenchContext, fleet: Fleet, scenarios: Scenario[]): Promise<void> {
  let children = fleet.workers.map(spawnWorker);
  try {
    let pids = await waitUp(context.index, fleet);
    for (const scenario of scenarios) {
      const restarted = scenario === 'reload-one' ? [0] : fleet.workers.map((_, i) => i);
      const started = now();
      await Promise.all(restarted.map((i) => terminate(children[i])));
      children = children.map((child, i) => (restarted.includes(i) ? spawnWorker(fleet.workers[i]) : child));
      await Promise.all(restarted.map((i) => whenStarted(children[i], fleet.workers[i])));
      const only = restarted.map((i) => fleet.workers[i].name);
      pids = await waitUp(context.index, fleet, { previous: pids, only, after: `direct ${scenario}` });
      context.recorder.sample({ scenario, tool: 'direct', workers: fleet.kind, n: fleet.workers.length }, 'ms', now() - started);
    }
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await assertNoLeaks(context.index, fleet.tag);
  }
}

/** reload-one at every count, as the tools are measured (the harness's /proc checks grow with the processes it scans). */
export async function runBaseline(context: BenchContext): Promise<void> {
  const { counts, kinds, scaleCount, reps } = context.settings;
  for (const kind of kinds) {
    for (let rep = 0; rep < reps; rep++) {
      for (const count of counts) await timeRestarts(context, makeFleet(kind, count), ['reload-one', 'restart-all']);
      if (kind === 'sleep' && scaleCount !== null) await timeRestarts(context, makeFleet(kind, scaleCount), ['reload-one']);
    }
  }
}
