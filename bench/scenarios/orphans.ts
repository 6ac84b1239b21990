/**
 * orphans-after-kill: SIGKILL the master/daemon of a running fleet, wait
 * 2 s, count the workers still alive (zombies count as dead). The harness
 * then kills the survivors itself. Tools run side by side (nothing is timed).
 */
import { makeFleet } from '../lib/fleet';
import { isAlive } from '../lib/procfs';
import { delay } from '../lib/timing';
import { waitUp } from '../lib/verify';
import type { ToolDriver } from '../tools/tool';
import { type BenchContext, withSession } from './context';

const GRACE_MS = 2_000;

async function killOnce(context: BenchContext, driver: ToolDriver): Promise<void> {
  const count = context.settings.orphanCount;
  const fleet = makeFleet('sleep', count);
  await withSession(context, driver, fleet, async (session) => {
    await session.start();
    await waitUp(context.index, fleet);
    const daemons = await session.daemonPids();
    for (const pid of daemons) process.kill(pid, 'SIGKILL');
    await delay(GRACE_MS);
    if (daemons.some(isAlive)) throw new Error('daemon survived SIGKILL');
    const survivors = [...context.index.scan(fleet.tag).workers.values()].flat();
    context.recorder.sample({ scenario: 'orphans-after-kill', tool: driver.name, workers: 'sleep', n: count }, 'count', survivors.length);
    for (const pid of survivors) process.kill(pid, 'SIGKILL');
  });
}

export async function runOrphans(context: BenchContext, log: (line: string) => void): Promise<void> {
  log(`orphans-after-kill ${context.drivers.map((driver) => driver.name).join(', ')} sleep x${context.settings.orphanCount}`);
  await Promise.all(
    context.drivers.map(async (driver) => {
      try {
        for (let rep = 0; rep < context.settings.reps; rep++) await killOnce(context, driver);
      } catch (error) {
        context.recorder.fail(`orphans-after-kill ${driver.name}`, error);
      }
    }),
  );
}
