/**
 * How long `checkConfigText` takes on a 200-worker steward.yaml, after
 * warm-up (the target is well under 20 ms), as the shipped bundle runs it and
 * from source: on a never-seen text (every worker new to the piece cache), on
 * a re-check after one worker was edited (a different edit each run, as
 * typing does) and on an unchanged text. Results are never cached by whole
 * text, so the unchanged figure is a real check. Prints the figures and
 * writes them to bench/check-results.json. Run: npm run bench:check
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { parseDocument } from 'yaml';
import { checkConfigText } from '../supervisor/config/check';
import { splitWorkers } from '../supervisor/config/chunks';
import { latencySummary } from './lib/stats';

const WORKERS = 200;
const WARMUP_RUNS = 50;
const MEASURED_RUNS = 500;
const TARGET_MS = 20;
const PROGRAMS = ['node server.js', 'sleep 1000', 'npm run dev', 'sh -c "exec sleep 1000"', 'PORT=1 node worker.js'];
const PROBES = ['{ tcp: PORT }', '{ http: "http://127.0.0.1:PORT/health", timeout: 10s }', '{ log: "listening on \\\\d+" }', '{ exec: "true", interval: 250ms }'];

function workerYaml(index: number): string {
  const port = 10_000 + index;
  const lines = [
    `  worker-${index}:`,
    `    command: ${PROGRAMS[index % PROGRAMS.length]}`,
    '    cwd: .',
    `    env: { PORT: "${port}", NODE_ENV: development, WORKER_INDEX: ${index} }`,
    `    ports: [${port}]`,
    `    ready: ${PROBES[index % PROBES.length].replace('PORT', String(port))}`,
    `    restart: ${['always', 'on-failure', 'never'][index % 3]}`,
    '    stop: { signal: SIGTERM, timeout: 5s }',
  ];
  if (index % 10 === 0 && index > 0) lines.push(`    depends_on: { worker-${index - 1}: ready, worker-${index - 2}: started }`);
  else if (index > 0) lines.push(`    depends_on: [worker-${index - 1}${index > 1 ? `, worker-${index - 2}` : ''}]`);
  return lines.join('\n');
}

interface Sample {
  wallMs: number;
  cpuMs: number;
}

/** Wall and CPU time of each measured run (CPU time is what a loaded, shared machine distorts least). */
function measure(run: () => void): Sample[] {
  const samples: Sample[] = [];
  for (let index = 0; index < WARMUP_RUNS + MEASURED_RUNS; index++) {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    run();
    const wallMs = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    if (index >= WARMUP_RUNS) samples.push({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000 });
  }
  return samples;
}

/**
 * A fixed 10^8-iteration add loop: 60–100 ms on a typical 2020s laptop core.
 * Reported so a figure from a slow or overloaded machine can be read in proportion.
 */
function referenceLoopMs(): number {
  const start = performance.now();
  let sum = 0;
  for (let index = 0; index < 1e8; index++) sum += index;
  if (sum < 0) throw new Error('unreachable');
  return performance.now() - start;
}

const summarise = (samples: number[]) => latencySummary(samples, 3);

type Check = typeof checkConfigText;

/** The checker as the shipped bundle runs it (esbuild.mjs's plugins applied), loaded from a temporary bundle. */
async function bundledChecker(dir: string): Promise<Check> {
  const outfile = join(dir, 'check.js');
  const { yamlDebugSwitchesOff } = await import('../scripts/yaml-debug-switches.mjs');
  await build({ entryPoints: [join(__dirname, '../supervisor/config/check.ts')], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'silent', plugins: [yamlDebugSwitchesOff] });
  return (require(outfile) as { checkConfigText: Check }).checkConfigText;
}

/** A 200-worker config; `variant` changes every worker's env (a text no piece cache has seen), `edited` one worker's command. */
function configText(variant: number, edited?: { worker: number; edit: number }): string {
  const workers = Array.from({ length: WORKERS }, (_, index) => {
    const yaml = workerYaml(index).replace(`WORKER_INDEX: ${index}`, `WORKER_INDEX: ${variant}${index}`);
    return edited?.worker === index ? yaml.replace(/(command: [^\n]*)/, `$1 --edit-${edited.edit}`) : yaml;
  });
  return `version: 1\nworkers:\n${workers.join('\n')}\n`;
}

/** Runs `check` over `texts` in turn (one per run), asserting each is valid. */
function measureChecks(check: Check, texts: (run: number) => string, file: string) {
  const prepared = Array.from({ length: WARMUP_RUNS + MEASURED_RUNS }, (_, run) => texts(run));
  let run = 0;
  const samples = measure(() => {
    const parsed = check(prepared[run++], file);
    if (!parsed.config) throw new Error(`the benchmark config is invalid: ${parsed.diagnostics[0]?.message}`);
  });
  return { wallMs: summarise(samples.map((sample) => sample.wallMs)), cpuMs: summarise(samples.map((sample) => sample.cpuMs)) };
}

/** The three ways an editor meets a config: never seen, one worker edited since the last check, unchanged. */
function scenarios(check: Check, file: string, firstVariant: number) {
  const runs = WARMUP_RUNS + MEASURED_RUNS;
  const base = firstVariant + 2 * runs;
  return {
    cold: measureChecks(check, (run) => configText(firstVariant + run), file),
    oneWorkerEdited: measureChecks(check, (run) => configText(base, { worker: (run * 37) % WORKERS, edit: run }), file),
    unchanged: measureChecks(check, () => configText(base + 1), file),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-bench-'));
  try {
    const file = join(dir, 'steward.yaml');
    const text = configText(0);
    writeFileSync(file, text);
    if (!splitWorkers(text)) throw new Error('the benchmark config does not take the incremental path');
    const bundled = scenarios(await bundledChecker(dir), file, 0);
    const source = scenarios(checkConfigText, file, 10_000);
    const wholeDocument = measureChecks((body, path) => checkConfigText(body, path, { wholeDocument: true }), (run) => configText(20_000 + run), file);
    // The share of the time that is the yaml library's own parse (unbundled, debug switches read per token).
    const yamlParse = summarise(measure(() => parseDocument(text, { uniqueKeys: false, prettyErrors: false })).map((sample) => sample.wallMs));
    const results = {
      benchmark: 'checkConfigText',
      workers: WORKERS,
      lines: text.split('\n').length - 1,
      bytes: Buffer.byteLength(text),
      warmupRuns: WARMUP_RUNS,
      runs: MEASURED_RUNS,
      bundled,
      source,
      sourceWholeDocumentCold: wholeDocument,
      yamlParseDocumentWallMs: yamlParse,
      targetMs: TARGET_MS,
      referenceLoopMs: Math.round(referenceLoopMs()),
      loadAverage: loadavg().map((load) => Math.round(load * 100) / 100),
      node: process.version,
      at: new Date().toISOString(),
    };
    report(results.lines, results.bytes, { bundled, source });
    console.log(`  source, whole-document parse (no piece cache), never-seen text: ${figures(wholeDocument)}`);
    console.log(`  yaml's parseDocument alone (source): wall median ${yamlParse.median} ms, p95 ${yamlParse.p95} ms`);
    console.log(`  machine: reference loop ${results.referenceLoopMs} ms (typical core: 60-100 ms), load average ${results.loadAverage.join(' ')}`);
    writeFileSync(join(__dirname, 'check-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Figures = ReturnType<typeof measureChecks>;

function figures({ wallMs, cpuMs }: Figures): string {
  const verdict = wallMs.median < TARGET_MS && cpuMs.median < TARGET_MS ? 'under' : 'OVER';
  return `wall median ${wallMs.median} ms, p95 ${wallMs.p95} ms; cpu median ${cpuMs.median} ms (${verdict} the ${TARGET_MS} ms target)`;
}

function report(lines: number, bytes: number, runs: Record<string, ReturnType<typeof scenarios>>): void {
  console.log(`checkConfigText, ${WORKERS} workers (${lines} lines, ${bytes} bytes), ${MEASURED_RUNS} runs after ${WARMUP_RUNS} warm-up (target: well under ${TARGET_MS} ms):`);
  for (const [name, { cold, oneWorkerEdited, unchanged }] of Object.entries(runs)) {
    console.log(`  ${name}, never-seen text:          ${figures(cold)}`);
    console.log(`  ${name}, one worker edited per run: ${figures(oneWorkerEdited)}`);
    console.log(`  ${name}, unchanged text:            ${figures(unchanged)}`);
  }
}

void main();
