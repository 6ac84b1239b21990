/**
 * How long `checkConfigText` takes on a 200-worker steward.yaml, after
 * warm-up (the target is well under 20 ms). Prints the figures and writes
 * them to bench/check-results.json. Run: npm run bench:check
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkConfigText } from '../supervisor/config/check';

const WORKERS = 200;
const WARMUP_RUNS = 50;
const MEASURED_RUNS = Number(process.env.BENCH_RUNS ?? 500);
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

function measure(text: string, file: string): number[] {
  const durations: number[] = [];
  for (let run = 0; run < WARMUP_RUNS + MEASURED_RUNS; run++) {
    const start = performance.now();
    const parsed = checkConfigText(text, file);
    const elapsed = performance.now() - start;
    if (!parsed.config) throw new Error(`the benchmark config is invalid: ${parsed.diagnostics[0]?.message}`);
    if (run >= WARMUP_RUNS) durations.push(elapsed);
  }
  return durations.sort((a, b) => a - b);
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'steward-bench-'));
  try {
    const file = join(dir, 'steward.yaml');
    const text = `version: 1\nworkers:\n${Array.from({ length: WORKERS }, (_, index) => workerYaml(index)).join('\n')}\n`;
    writeFileSync(file, text);
    if (process.env.BENCH_DUMP) writeFileSync(process.env.BENCH_DUMP, text);
    const durations = measure(text, file);
    const round = (ms: number) => Math.round(ms * 1000) / 1000;
    const results = {
      benchmark: 'checkConfigText',
      workers: WORKERS,
      lines: text.split('\n').length - 1,
      bytes: Buffer.byteLength(text),
      warmupRuns: WARMUP_RUNS,
      runs: MEASURED_RUNS,
      medianMs: round(percentile(durations, 0.5)),
      p95Ms: round(percentile(durations, 0.95)),
      minMs: round(durations[0]),
      maxMs: round(durations[durations.length - 1]),
      targetMs: 20,
      node: process.version,
      at: new Date().toISOString(),
    };
    console.log(`checkConfigText, ${WORKERS} workers (${results.lines} lines): median ${results.medianMs} ms, p95 ${results.p95Ms} ms, min ${results.minMs} ms, max ${results.maxMs} ms over ${MEASURED_RUNS} runs`);
    writeFileSync(join(__dirname, 'check-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
