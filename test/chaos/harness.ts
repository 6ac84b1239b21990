/**
 * The fault-injection suite's bookkeeping: iteration counts (small by
 * default so CI stays within minutes, the full counts with
 * STEWARD_CHAOS_FULL=1), a tally per scenario that ends as one row of the
 * summary table (test/chaos/run.mjs prints it), and probes of a live master
 * (status round-trip time, RSS, open fds) read from /proc.
 *
 *   const tally = new Tally('master SIGKILL during reload');
 *   for (...) { tally.fault(); …; tally.survived(); }
 *   tally.leaked(markedProcesses(ws.marker).length);
 *   tally.record();   // appends the row to the results file
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import { StatusRequest, type StatusSnapshot } from '../../shared/protocol';
import { cleanup, makeWorkspace, type Workspace } from '../helpers/master';
import { markedProcesses, waitUntil } from '../helpers/procs';

export const FULL = process.env.STEWARD_CHAOS_FULL === '1';

/** Where each scenario appends its row (JSON lines); the runner empties it first. */
export const RESULTS_FILE = resolve(process.env.STEWARD_CHAOS_RESULTS ?? resolve(__dirname, '../../test-results/chaos/results.jsonl'));

/** The iteration count of a scenario: `full` with STEWARD_CHAOS_FULL=1, else `quick`. */
export function iterations(quick: number, full: number): number {
  return FULL ? full : quick;
}

export interface ResultRow {
  scenario: string;
  iterations: number;
  faults: number;
  survived: number;
  leaked: number;
  lost: number;
  /** Free text: the figures that matter for this scenario (latency, RSS, phases…). */
  notes: string;
}

export class Tally {
  private row: ResultRow;

  constructor(scenario: string) {
    this.row = { scenario, iterations: 0, faults: 0, survived: 0, leaked: 0, lost: 0, notes: '' };
  }

  iteration(): void {
    this.row.iterations += 1;
  }

  fault(count = 1): void {
    this.row.faults += count;
  }

  survived(count = 1): void {
    this.row.survived += count;
  }

  leaked(count: number): void {
    this.row.leaked += count;
  }

  lost(count: number): void {
    this.row.lost += count;
  }

  note(text: string): void {
    this.row.notes = this.row.notes ? `${this.row.notes}; ${text}` : text;
  }

  /** Appends the row to the results file. Call it in `finally`, so a failing scenario still shows. */
  record(): void {
    mkdirSync(dirname(RESULTS_FILE), { recursive: true });
    appendFileSync(RESULTS_FILE, `${JSON.stringify(this.row)}\n`);
  }
}

/** One `steward/status` round trip; resolves with the snapshot and the time it took. */
export async function timedStatus(connection: MessageConnection): Promise<{ snapshot: StatusSnapshot; ms: number }> {
  const started = performance.now();
  const snapshot = await connection.sendRequest(StatusRequest.type, {});
  return { snapshot, ms: performance.now() - started };
}

/** Resident set size of a process in KiB (0 when it is gone). */
export function rssKiB(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Open file descriptors of a process (0 when it is gone). */
export function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Seeded PRNG (mulberry32): a failing chaos run can be replayed with the seed it printed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const CHAOS_SEED = Number(process.env.STEWARD_CHAOS_SEED ?? Date.now() % 1_000_000);

/**
 * Runs `body` on a fresh workspace, then cleans up (down + leak check). A
 * failing cleanup never hides the body's own failure: it is appended to it.
 */
export async function withChaosWorkspace(label: string, yaml: string, body: (ws: Workspace) => Promise<void>): Promise<void> {
  const ws = makeWorkspace(label, yaml);
  let failure: unknown;
  try {
    await body(ws);
  } catch (error) {
    failure = error;
  }
  try {
    await cleanup(ws);
  } catch (error) {
    if (failure === undefined) throw error;
    if (failure instanceof Error) failure.message += `\n(cleanup afterwards: ${(error as Error).message})`;
  }
  if (failure !== undefined) throw failure;
}

/** Waits up to `timeoutMs` for every process marked `marker` to end; returns the survivors' descriptions (left running for cleanup to kill). */
export async function survivorsAfter(marker: string, timeoutMs: number): Promise<string[]> {
  await waitUntil(() => markedProcesses(marker).length === 0, { timeoutMs }).catch(() => undefined);
  return markedProcesses(marker).map((p) => `${p.pid} (pgid ${p.pgid}): ${p.command}`);
}

/** The last lines the detached master wrote to its log (for failure messages). */
export function logTail(ws: Workspace, lines = 20): string {
  try {
    return readFileSync(ws.paths.log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no master log)';
  }
}

/**
 * Latency budgets are a property of the master, measurable only on a
 * machine that is not oversubscribed: above OVERSUBSCRIBED_LOAD runnable
 * processes per core (1-minute load average), the master waits for a CPU
 * like everyone else. Then the budgets are reported, not asserted, and only
 * LOADED_LIMIT_MS holds (answers still come).
 */
export const OVERSUBSCRIBED_LOAD = 1.5;
const LOADED_LIMIT_MS = 5_000;

export function machineLoad(): { perCore: number; oversubscribed: boolean; text: string } {
  const perCore = loadavg()[0] / cpus().length;
  return { perCore, oversubscribed: perCore > OVERSUBSCRIBED_LOAD, text: `load ${loadavg()[0].toFixed(1)} on ${cpus().length} cores` };
}

/** The per-answer limit in force now. */
export function statusLimitMs(hardLimitMs: number): number {
  return machineLoad().oversubscribed ? LOADED_LIMIT_MS : hardLimitMs;
}

/**
 * The latency rule: p99 under `p99BudgetMs` and no single answer over
 * `hardLimitMs` (see OVERSUBSCRIBED_LOAD). Returns a note for the table.
 */
export function assertLatencies(latencies: number[], p99BudgetMs: number, hardLimitMs: number, what: string): string {
  const p99 = percentile(latencies, 99);
  const max = Math.max(...latencies);
  const load = machineLoad();
  const summary = `${what}: status p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms over ${latencies.length} requests`;
  if (load.oversubscribed) {
    if (max >= LOADED_LIMIT_MS) throw new Error(`${summary} (${load.text}; limit ${LOADED_LIMIT_MS} ms)`);
    return `${summary} — ${load.text}: budgets not asserted`;
  }
  if (p99 >= p99BudgetMs || max >= hardLimitMs) throw new Error(`${summary} (budget p99 ${p99BudgetMs} ms, max ${hardLimitMs} ms; ${load.text})`);
  return summary;
}
