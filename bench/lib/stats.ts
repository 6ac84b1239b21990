/** Summary statistics of repeated measurements, as results.json reports them. */
export interface Summary {
  min: number;
  median: number;
  max: number;
  n: number;
}

/** min / median / max of the samples; the median of an even count is the mean of the middle two. */
export function summarize(samples: number[]): Summary {
  if (samples.length === 0) throw new Error('summarize: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1], n: sorted.length };
}

/** Rounds for display and JSON: 2 decimals below 10, 1 below 1000, whole numbers above. */
export function round(value: number): number {
  const digits = Math.abs(value) < 10 ? 100 : Math.abs(value) < 1000 ? 10 : 1;
  return Math.round(value * digits) / digits;
}

/** The nearest-rank percentile of ascending samples (fraction 0.5 = median, 0.95 = p95). */
function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

/** median / p95 / min / max of latency samples, rounded to `decimals` (the micro-benchmarks' report shape). */
export function latencySummary(samples: number[], decimals: number) {
  const sorted = [...samples].sort((a, b) => a - b);
  const scale = 10 ** decimals;
  const rounded = (ms: number) => Math.round(ms * scale) / scale;
  return { median: rounded(percentile(sorted, 0.5)), p95: rounded(percentile(sorted, 0.95)), min: rounded(sorted[0]), max: rounded(sorted[sorted.length - 1]) };
}
