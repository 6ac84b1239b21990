// `npm run test:chaos`: node's test runner over test/chaos/*.test.ts (one
// file at a time: the scenarios measure the master's latency and memory, so
// they must not compete with each other), then the summary table of what was
// injected and what survived, built from the rows each scenario appended.
//
//   node test/chaos/run.mjs            quick counts (CI)
//   STEWARD_CHAOS_FULL=1 node …        the full counts
//   … --record                         also write the table into test/RELIABILITY.md
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const results = resolve(process.env.STEWARD_CHAOS_RESULTS ?? join(root, 'test-results/chaos/results.jsonl'));
const full = process.env.STEWARD_CHAOS_FULL === '1';
const record = process.argv.includes('--record');

rmSync(results, { force: true });
mkdirSync(dirname(results), { recursive: true });
const files = readdirSync(here).filter((name) => name.endsWith('.test.ts')).sort().map((name) => join(here, name));
const started = Date.now();
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-force-exit', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, STEWARD_CHAOS_RESULTS: results },
});
const seconds = Math.round((Date.now() - started) / 1000);

const rows = existsSync(results) ? readFileSync(results, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)) : [];
const table = renderTable(rows, { full, seconds, passed: run.status === 0 });
process.stdout.write(`\n${table}\n`);
if (record) writeFigures(join(root, 'test/RELIABILITY.md'), table);
process.exit(run.status ?? 1);

function renderTable(rows, { full, seconds, passed }) {
  const header = ['scenario', 'iterations', 'faults injected', 'survived', 'processes leaked', 'data lost', 'notes'];
  const body = rows.map((r) => [r.scenario, r.iterations, r.faults, r.survived, r.leaked, r.lost, r.notes]);
  const totals = ['**total**', ...[1, 2, 3, 4, 5].map((i) => body.reduce((sum, row) => sum + Number(row[i]), 0)), ''];
  const lines = [header, header.map(() => '---'), ...body, totals].map((cells) => `| ${cells.join(' | ')} |`);
  const when = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const mode = full ? 'full counts (STEWARD_CHAOS_FULL=1)' : 'quick counts';
  return [`Chaos run of ${when}, ${mode}, ${seconds} s, ${passed ? 'every scenario passed' : 'SOME SCENARIO FAILED'}:`, '', ...lines].join('\n');
}

/** Replaces the text between the chaos markers of RELIABILITY.md with the table. */
function writeFigures(file, table) {
  const begin = '<!-- chaos-figures:begin -->';
  const end = '<!-- chaos-figures:end -->';
  const text = readFileSync(file, 'utf8');
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file} lacks the ${begin} … ${end} markers`);
  writeFileSync(file, `${text.slice(0, from + begin.length)}\n${table}\n${text.slice(to)}`);
  process.stdout.write(`figures written to ${file}\n`);
}
