/**
 * Collects samples per (scenario, tool, workers, n) and turns them into the
 * rows of bench/results.json: for each metric `median_<m>`, `min_<m>`, `max_<m>`.
 */
import { round, summarize } from './stats';

export type Metric = 'ms' | 'rss_mb' | 'cpu_pct' | 'count' | 'mb_per_s' | 'lost';

export interface RowKey {
  scenario: string;
  tool: string;
  /** `sleep` or `http`; the log scenario's writer is `log`. */
  workers: string;
  n: number;
}

export interface ResultRow extends RowKey {
  reps: number;
  note?: string;
  [metric: string]: string | number | undefined;
}

export class Recorder {
  private readonly series = new Map<string, { key: RowKey; samples: Map<Metric, number[]>; notes: Set<string> }>();
  /** Problems met while benchmarking (a tool failing a scenario), reported in RESULTS.md. */
  readonly failures: string[] = [];

  private entry(key: RowKey) {
    const id = `${key.scenario}|${key.tool}|${key.workers}|${key.n}`;
    let entry = this.series.get(id);
    if (!entry) this.series.set(id, (entry = { key, samples: new Map(), notes: new Set() }));
    return entry;
  }

  sample(key: RowKey, metric: Metric, value: number): void {
    const samples = this.entry(key).samples;
    samples.set(metric, [...(samples.get(metric) ?? []), value]);
  }

  /** A scenario failed for a tool: the run goes on, the failure is reported. */
  fail(label: string, error: unknown): void {
    this.failures.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
  }

  note(key: RowKey, text: string): void {
    this.entry(key).notes.add(text);
  }

  rows(): ResultRow[] {
    return [...this.series.values()].map(({ key, samples, notes }) => {
      const row: ResultRow = { ...key, reps: 0 };
      for (const [metric, values] of samples) {
        const summary = summarize(values);
        Object.assign(row, { [`median_${metric}`]: round(summary.median), [`min_${metric}`]: round(summary.min), [`max_${metric}`]: round(summary.max) });
        row.reps = Math.max(row.reps, summary.n);
      }
      if (notes.size > 0) row.note = [...notes].join('; ');
      return row;
    });
  }
}
