/**
 * How long `checkConfigText` takes on a 200-worker steward.yaml, after
 * warm-up (the target is well under 20 ms). Prints the figures and writes
 * them to bench/check-results.json. Run: npm run bench:check
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseDocument } from 'yaml';
import { checkConfigText } from '../supervisor/config/check';

const WORKERS = 200;
const WARMUP_RUNS = 50;
const MEASURED_RUNS = 500;
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

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
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

function checkValid(text: string, file: string): void {
  const parsed = checkConfigText(text, file);
  if (!parsed.config) throw new Error(`the benchmark config is invalid: ${parsed.diagnostics[0]?.message}`);
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

function summarise(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  return { median: round(percentile(sorted, 0.5)), p95: round(percentile(sorted, 0.95)), min: round(sorted[0]), max: round(sorted[sorted.length - 1]) };
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'steward-bench-'));
  try {
    const file = join(dir, 'steward.yaml');
    const text = `version: 1\nworkers:\n${Array.from({ length: WORKERS }, (_, index) => workerYaml(index)).join('\n')}\n`;
    writeFileSync(file, text);
    const samples = measure(() => checkValid(text, file));
    const wall = summarise(samples.map((sample) => sample.wallMs));
    const cpu = summarise(samples.map((sample) => sample.cpuMs));
    // The share of the time that is the yaml library's own parse (what the checker builds on).
    const yamlParse = summarise(measure(() => parseDocument(text, { uniqueKeys: false, prettyErrors: false })).map((sample) => sample.wallMs));
    const results = {
      benchmark: 'checkConfigText',
      workers: WORKERS,
      lines: text.split('\n').length - 1,
      bytes: Buffer.byteLength(text),
      warmupRuns: WARMUP_RUNS,
      runs: MEASURED_RUNS,
      wallMs: wall,
      cpuMs: cpu,
      yamlParseDocumentWallMs: yamlParse,
      targetMs: 20,
      referenceLoopMs: Math.round(referenceLoopMs()),
      loadAverage: loadavg().map((load) => Math.round(load * 100) / 100),
      node: process.version,
      at: new Date().toISOString(),
    };
    console.log(`checkConfigText, ${WORKERS} workers (${results.lines} lines, ${results.bytes} bytes), ${MEASURED_RUNS} runs after ${WARMUP_RUNS} warm-up:`);
    console.log(`  wall median ${wall.median} ms, p95 ${wall.p95} ms (min ${wall.min}, max ${wall.max})`);
    console.log(`  cpu  median ${cpu.median} ms, p95 ${cpu.p95} ms`);
    console.log(`  of which yaml's parseDocument alone: wall median ${yamlParse.median} ms, p95 ${yamlParse.p95} ms`);
    console.log(`  machine: reference loop ${results.referenceLoopMs} ms (typical core: 60-100 ms), load average ${results.loadAverage.join(' ')}`);
    writeFileSync(join(__dirname, 'check-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
