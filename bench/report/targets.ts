/**
 * The targets of issue 7, checked against the rows of one run (Steward vs
 * the best peer of the same run). A target without the figures it needs is
 * reported as not measured, never as met.
 */
import type { ResultRow } from '../lib/results';
import { round } from '../lib/stats';

export interface TargetCheck {
  target: string;
  measured: string;
  /** null: not measured in this run. */
  met: boolean | null;
}

const PEERS = ['pm2', 'pm2-reload', 'supervisord'];

export class RowTable {
  constructor(readonly rows: ResultRow[]) {}

  median(scenario: string, tool: string, workers: string, n: number, metric = 'ms', stat: 'median' | 'max' = 'median'): number | null {
    const row = this.rows.find((r) => r.scenario === scenario && r.tool === tool && r.workers === workers && r.n === n);
    const value = row?.[`${stat}_${metric}`];
    return typeof value === 'number' ? value : null;
  }

  /** The worker counts a scenario was measured at (the `direct` yardstick's n = 1 aside). */
  counts(scenario: string, workers: string): number[] {
    const rows = this.rows.filter((r) => r.scenario === scenario && r.workers === workers && r.tool !== 'direct');
    return [...new Set(rows.map((r) => r.n))].sort((a, b) => a - b);
  }

  /** The fastest peer's median for the scenario, with its name. */
  bestPeer(scenario: string, workers: string, n: number): { tool: string; ms: number } | null {
    const found = PEERS.map((tool) => ({ tool, ms: this.median(scenario, tool, workers, n) })).filter((p): p is { tool: string; ms: number } => p.ms !== null);
    return found.sort((a, b) => a.ms - b.ms)[0] ?? null;
  }
}

function check(target: string, value: number | null, met: (v: number) => boolean, describe: (v: number) => string): TargetCheck {
  return value === null ? { target, measured: 'not measured', met: null } : { target, measured: describe(value), met: met(value) };
}

/** "; the workers alone 410 ms: steward +167 ms (1.41×)", or '' without a `direct` row. */
function besideDirect(steward: number | null, direct: number | null, what: string): string {
  if (steward === null || direct === null) return '';
  return `; ${what} ${direct} ms: steward +${round(steward - direct)} ms (${round(steward / direct)}×)`;
}

function restartTargets(table: RowTable): TargetCheck[] {
  return (['sleep', 'http'] as const).flatMap((workers) => {
    const factor = workers === 'sleep' ? 10 : 3;
    return [10, 50].map((n) => {
      const steward = table.median('restart-all', 'steward', workers, n);
      const peer = table.bestPeer('restart-all', workers, n);
      const ratio = steward !== null && peer !== null ? peer.ms / steward : null;
      const floor = besideDirect(steward, table.median('restart-all', 'direct', workers, n), 'the workers alone (no supervisor)');
      return check(`restart-all ${n} ${workers}: ≥ ${factor}× faster than the best peer`, ratio, (r) => r >= factor, (r) => `${round(r)}× (steward ${steward} ms, ${peer?.tool} ${peer?.ms} ms)${floor}`);
    });
  });
}

function reloadTargets(table: RowTable): TargetCheck[] {
  const checks = (['sleep', 'http'] as const).flatMap((workers) =>
    table.counts('reload-one', workers).map((n) => {
      const steward = table.median('reload-one', 'steward', workers, n);
      // The worker alone among as many running processes (older runs measured it for one worker only).
      const own = table.median('reload-one', 'direct', workers, n) ?? table.median('reload-one', 'direct', workers, 1);
      const extra = steward !== null && own !== null ? steward - own : null;
      const ratio = steward !== null && own !== null ? ` = ${round(steward / own)}×` : '';
      return check(`reload-one of ${n} ${workers}: the worker's own stop + start + < 5 ms`, extra, (e) => e < 5, (e) => `+${round(e)} ms${ratio} (steward ${steward} ms, the worker alone ${own} ms)`);
    }),
  );
  const noopCounts = table.counts('reload-noop', 'sleep');
  const noopN = noopCounts.includes(50) ? 50 : Math.max(...noopCounts, 0);
  const noop = table.median('reload-noop', 'steward', 'sleep', noopN);
  checks.push(check(`reload-noop at N = ${noopN} (target stated for 50): < 5 ms`, noop, (v) => v < 5, (v) => `${v} ms`));
  return checks;
}

function invalidTargets(table: RowTable): TargetCheck[] {
  const waitN = Math.max(...table.counts('invalid-to-wait', 'sleep'), 0);
  return [
    check('invalid config → wait mode (socket): < 10 ms', table.median('invalid-to-wait', 'steward', 'sleep', waitN), (v) => v < 10, (v) => `${v} ms`),
    check('invalid config → LSP diagnostic after save: < 50 ms', table.median('invalid-to-diagnostic', 'steward', 'sleep', waitN), (v) => v < 50, (v) => `${v} ms`),
  ];
}

function resourceTargets(table: RowTable): TargetCheck[] {
  const idleN = Math.max(...table.counts('idle-footprint', 'sleep'), 0);
  const orphansN = Math.max(...table.counts('orphans-after-kill', 'sleep'), 0);
  return [
    check(`master RSS with ${idleN} workers: < 45 MB`, table.median('idle-footprint', 'steward', 'sleep', idleN, 'rss_mb'), (v) => v < 45, (v) => `${v} MB`),
    check(`idle CPU with ${idleN} workers: < 0.1 %`, table.median('idle-footprint', 'steward', 'sleep', idleN, 'cpu_pct'), (v) => v < 0.1, (v) => `${v} %`),
    check('log throughput: ≥ 100 MB/s', table.median('log-throughput', 'steward', 'log', 1, 'mb_per_s'), (v) => v >= 100, (v) => `${v} MB/s`),
    check('log lines lost: 0 (in every repetition)', table.median('log-throughput', 'steward', 'log', 1, 'lost', 'max'), (v) => v === 0, (v) => `${v} at most`),
    check('orphans after SIGKILL of the master: 0', table.median('orphans-after-kill', 'steward', 'sleep', orphansN, 'count'), (v) => v === 0, (v) => `${v}`),
  ];
}

/** Linear in N: the per-worker cost at the scale point is at most 1.5× the one at the next lower N (full run only). */
function scaleTargets(table: RowTable): TargetCheck[] {
  return ['cold-start', 'restart-all', 'reload-one', 'stop-all'].flatMap((scenario) => {
    const counts = table.counts(scenario, 'sleep');
    const [low, high] = [counts.at(-2), counts.at(-1)];
    if (low === undefined || high === undefined || high <= 50) return [];
    const perWorker = (n: number) => (table.median(scenario, 'steward', 'sleep', n) ?? NaN) / n;
    const growth = perWorker(high) / perWorker(low);
    return [check(`${scenario} linear in N (per-worker cost at N = ${high} vs ${low}): ≤ 1.5×`, Number.isNaN(growth) ? null : growth, (g) => g <= 1.5, (g) => `${round(g)}×`)];
  });
}

export function checkTargets(rows: ResultRow[]): TargetCheck[] {
  const table = new RowTable(rows);
  return [...restartTargets(table), ...reloadTargets(table), ...invalidTargets(table), ...resourceTargets(table), ...scaleTargets(table)];
}
