/** bench/results.json (the contract of issue 7) and bench/RESULTS.md, written together from one run. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Machine } from '../lib/machine';
import type { ResultRow } from '../lib/results';
import type { Settings } from '../scenarios/context';
import { renderMarkdown } from './markdown';
import type { TargetCheck } from './targets';

export interface Report {
  generated: string;
  command: string;
  quick: boolean;
  durationS: number;
  machine: Machine;
  tools: Record<string, string>;
  skipped: Array<{ tool: string; reason: string }>;
  settings: Settings;
  failures: string[];
  targets: TargetCheck[];
  /** `{ scenario, tool, workers, n, median_<metric>, min_<metric>, max_<metric>, reps, note? }` */
  results: ResultRow[];
}

const BENCH_DIR = join(__dirname, '..');

function optionalText(file: string): string {
  const path = join(BENCH_DIR, file);
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : '';
}

export function writeReport(report: Report, outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'results.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(outDir, 'RESULTS.md'), renderMarkdown(report, optionalText('METHOD.md'), optionalText('PROFILE.md')));
}
