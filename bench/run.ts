/**
 * `npm run bench [-- --quick] [-- --only=SCENARIO,…] [-- --tools=TOOL,…] [-- --out=DIR]`
 *   [-- --counts=N,… --kinds=sleep,http --reps=R] (one point again, e.g. to compare two builds)
 * `npx tsx bench/run.ts --render=bench/results.json` re-renders RESULTS.md only.
 *
 * Runs every scenario of issue 7 for Steward, PM2 and supervisord in one
 * run and writes results.json + RESULTS.md (default: this folder).
 * --quick: N = 10, 3 repetitions, short idle window, 10 MB of logs, no
 * scale point — under 2 minutes. Full: N = 1, 10, 50 and 200 (sleep), 5
 * repetitions, a 60 s idle window, 100 MB of logs.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeMachine, loadAverage } from './lib/machine';
import { ProcessIndex } from './lib/procfs';
import { Recorder } from './lib/results';
import { now } from './lib/timing';
import { writeReport } from './report/report';
import { checkTargets } from './report/targets';
import { runBaseline } from './scenarios/baseline';
import type { WorkerKind } from './lib/fleet';
import type { BenchContext, Settings } from './scenarios/context';
import { runFootprint } from './scenarios/footprint';
import { runInvalid } from './scenarios/invalid';
import { runLifecycle } from './scenarios/lifecycle';
import { runLogs } from './scenarios/logs';
import { runOrphans } from './scenarios/orphans';
import { pm2Driver } from './tools/pm2';
import { stewardDriver } from './tools/steward';
import { supervisordDriver } from './tools/supervisord';
import type { ToolDriver } from './tools/tool';

const QUICK: Settings = { quick: true, counts: [10], kinds: ['sleep', 'http'], scaleCount: null, reps: 3, idleSliceMs: 2_000, idleCount: 50, logMegabytes: 10, orphanCount: 10 };
const FULL: Settings = { quick: false, counts: [1, 10, 50], kinds: ['sleep', 'http'], scaleCount: 200, reps: 5, idleSliceMs: 12_000, idleCount: 50, logMegabytes: 100, orphanCount: 50 };

type Family = (context: BenchContext, log: (line: string) => void) => Promise<void>;
/**
 * Stages run one after the other; the families of a stage run side by side.
 * Only untimed families share a stage (idle footprint and orphans measure
 * no durations, and an idle daemon's CPU does not depend on its neighbours).
 */
const STAGES: Array<Record<string, Family>> = [
  { lifecycle: runLifecycle },
  { baseline: runBaseline },
  { invalid: runInvalid },
  { logs: runLogs },
  { footprint: runFootprint, orphans: runOrphans },
];

function option(name: string): string[] | null {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? arg.slice(name.length + 3).split(',') : null;
}

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

async function availableDrivers(wanted: string[] | null) {
  const drivers: ToolDriver[] = [];
  const skipped: Array<{ tool: string; reason: string }> = [];
  const tools: Record<string, string> = { node: process.version };
  for (const driver of [stewardDriver, pm2Driver, supervisordDriver]) {
    if (wanted && !wanted.includes(driver.name)) continue;
    const reason = await driver.unavailable();
    if (reason) {
      skipped.push({ tool: driver.name, reason });
      log(`skipping ${driver.name}: ${reason}`);
      continue;
    }
    drivers.push(driver);
    tools[driver.name] = await driver.version();
  }
  return { drivers, skipped, tools };
}

/** --counts / --kinds / --reps: fewer points or more repetitions than the preset (no scale point unless its N is listed). */
function narrowed(preset: Settings): Settings {
  const counts = option('counts')?.map(Number);
  const kinds = option('kinds') as WorkerKind[] | null;
  const reps = option('reps')?.map(Number)[0];
  if (counts?.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--counts takes worker counts, e.g. --counts=10,50`);
  if (kinds?.some((kind) => kind !== 'sleep' && kind !== 'http')) throw new Error(`--kinds takes sleep and/or http`);
  if (reps !== undefined && (!Number.isInteger(reps) || reps < 1)) throw new Error(`--reps takes a repetition count, e.g. --reps=10`);
  const settings = { ...preset, kinds: kinds ?? preset.kinds, reps: reps ?? preset.reps };
  if (!counts) return settings;
  const scale = preset.scaleCount !== null && counts.includes(preset.scaleCount) ? preset.scaleCount : null;
  return { ...settings, counts: counts.filter((n) => n !== scale), scaleCount: scale };
}

/** `--render=results.json`: rewrite the report next to it from a finished run's rows (after editing PROFILE.md, METHOD.md or the target checks). */
function render(file: string): number {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  writeReport({ ...report, targets: checkTargets(report.results) }, dirname(file));
  return 0;
}

async function main(): Promise<number> {
  const rendered = option('render');
  if (rendered) return render(rendered[0]);
  const started = now();
  const settings = narrowed(process.argv.includes('--quick') ? QUICK : FULL);
  const machine = describeMachine();
  const { drivers, skipped, tools } = await availableDrivers(option('tools'));
  const context: BenchContext = { settings, recorder: new Recorder(), index: new ProcessIndex(), drivers };
  const only = option('only');
  for (const stage of STAGES) {
    const families = Object.entries(stage).filter(([name]) => !only || only.includes(name));
    await Promise.all(families.map(([, family]) => family(context, log)));
  }
  const results = context.recorder.rows();
  machine.loadAtEnd = loadAverage();
  const command = `npm run bench${settings.quick ? ' -- --quick' : ''}`;
  const report = { generated: new Date().toISOString(), command, quick: settings.quick, durationS: (now() - started) / 1000, machine, tools, skipped, settings, failures: context.recorder.failures, targets: checkTargets(results), results };
  writeReport(report, option('out')?.[0] ?? join(__dirname));
  for (const failure of report.failures) log(`FAILED ${failure}`);
  log(`done in ${Math.round(report.durationS)} s: ${results.length} rows, ${report.failures.length} failures`);
  return report.failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    log(`internal error: ${error instanceof Error ? error.stack : String(error)}`);
    process.exitCode = 70;
  },
);
