/**
 * idle-footprint: the supervisor's own processes (every process of the run
 * that is not a worker: daemon and any helper) with `idleCount` sleep
 * workers, left alone. RSS is sampled and CPU time measured (all threads, ns
 * resolution) over `reps` slices of `idleSliceMs` each.
 */
import { makeFleet } from '../lib/fleet';
import { cpuMs, statusKb } from '../lib/procfs';
import { delay } from '../lib/timing';
import { waitUp } from '../lib/verify';
import type { ToolDriver } from '../tools/tool';
import { type BenchContext, withSession } from './context';

/** Lets start-up work (JIT, first GC, log file creation) finish before the idle window opens. */
const SETTLE_MS = 2_000;

async function idleFor(context: BenchContext, driver: ToolDriver): Promise<void> {
  const { idleCount, idleSliceMs, reps } = context.settings;
  const fleet = makeFleet('sleep', idleCount);
  const key = { scenario: 'idle-footprint', tool: driver.name, workers: 'sleep', n: idleCount };
  await withSession(context, driver, fleet, async (session) => {
    await session.start();
    await waitUp(context.index, fleet);
    await delay(SETTLE_MS);
    const own = context.index.scan(fleet.tag).supervisor;
    context.recorder.note(key, `${own.length} supervisor process(es)`);
    for (let slice = 0; slice < reps; slice++) {
      const before = own.reduce((sum, pid) => sum + cpuMs(pid), 0);
      await delay(idleSliceMs);
      const used = own.reduce((sum, pid) => sum + cpuMs(pid), 0) - before;
      context.recorder.sample(key, 'cpu_pct', (used / idleSliceMs) * 100);
      context.recorder.sample(key, 'rss_mb', own.reduce((sum, pid) => sum + statusKb(pid, 'VmRSS'), 0) / 1024);
    }
    await session.stop();
  });
}

/** The tools idle side by side: an idle daemon's CPU and RSS do not depend on its neighbours. */
export async function runFootprint(context: BenchContext, log: (line: string) => void): Promise<void> {
  log(`idle-footprint ${context.drivers.map((driver) => driver.name).join(', ')} sleep x${context.settings.idleCount}`);
  await Promise.all(
    context.drivers.map(async (driver) => {
      try {
        await idleFor(context, driver);
      } catch (error) {
        context.recorder.fail(`idle-footprint ${driver.name}`, error);
      }
    }),
  );
}
