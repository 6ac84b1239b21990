/**
 * idle-footprint: the supervisor's own processes (every process of the run
 * that is not a worker: daemon and any helper) with `idleCount` sleep
 * workers, left alone. RSS is sampled and CPU time measured (all threads, ns
 * resolution) over `reps` slices of `idleSliceMs` each.
 * Beside the tools, two yardsticks: `node-floor` and `node-floor-execa`
 * (fixtures/floor-master.ts), a Node process that only listens and spawns
 * the same workers — what any Node master costs before doing its job.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { type Fleet, makeFleet, NODE } from '../lib/fleet';
import { cpuMs, statusKb, TAG_VAR } from '../lib/procfs';
import type { RowKey } from '../lib/results';
import { delay } from '../lib/timing';
import { assertNoLeaks, waitUp } from '../lib/verify';
import type { ToolDriver } from '../tools/tool';
import { type BenchContext, sessionDir, withSession } from './context';

/** Lets start-up work (JIT, first GC, log file creation) finish before the idle window opens. */
const SETTLE_MS = 2_000;

async function idleFor(context: BenchContext, driver: ToolDriver): Promise<void> {
  const fleet = makeFleet('sleep', context.settings.idleCount);
  const key = { scenario: 'idle-footprint', tool: driver.name, workers: 'sleep', n: fleet.workers.length };
  await withSession(context, driver, fleet, async (session) => {
    await session.start();
    await waitUp(context.index, fleet);
    await sampleIdle(context, key, fleet);
    await session.stop();
  });
}

async function sampleIdle(context: BenchContext, key: RowKey, fleet: Fleet): Promise<void> {
  const { idleSliceMs, reps } = context.settings;
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
}

async function idleFloor(context: BenchContext, mode: 'child_process' | 'execa'): Promise<void> {
  const tool = mode === 'execa' ? 'node-floor-execa' : 'node-floor';
  const fleet = makeFleet('sleep', context.settings.idleCount);
  const dir = sessionDir(tool);
  const script = join(dir, 'floor-master.js');
  await build({ entryPoints: [join(__dirname, '..', 'fixtures', 'floor-master.ts')], bundle: true, platform: 'node', target: 'node20', outfile: script, logLevel: 'error' });
  writeFileSync(join(dir, 'fleet.json'), JSON.stringify(fleet.workers));
  const env = { ...process.env, [TAG_VAR]: fleet.tag };
  const floor = spawn(NODE, [script, join(dir, 'floor.sock'), mode, join(dir, 'fleet.json')], { env, stdio: 'ignore' });
  try {
    await waitUp(context.index, fleet);
    await sampleIdle(context, { scenario: 'idle-footprint', tool, workers: 'sleep', n: fleet.workers.length }, fleet);
  } finally {
    const exited = once(floor, 'exit');
    floor.kill('SIGTERM');
    await exited;
    await assertNoLeaks(context.index, fleet.tag);
  }
}

/** The tools and the yardsticks idle side by side: an idle daemon's CPU and RSS do not depend on its neighbours. */
export async function runFootprint(context: BenchContext, log: (line: string) => void): Promise<void> {
  log(`idle-footprint ${context.drivers.map((driver) => driver.name).join(', ')}, node-floor, node-floor-execa sleep x${context.settings.idleCount}`);
  const tools = context.drivers.map((driver) => ({ name: driver.name, idle: () => idleFor(context, driver) }));
  const floors = (['child_process', 'execa'] as const).map((mode) => ({ name: `node-floor ${mode}`, idle: () => idleFloor(context, mode) }));
  await Promise.all(
    [...tools, ...floors].map(async ({ name, idle }) => {
      try {
        await idle();
      } catch (error) {
        context.recorder.fail(`idle-footprint ${name}`, error);
      }
    }),
  );
}
