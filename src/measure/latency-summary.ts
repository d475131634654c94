import type { MeasurementOk } from './measurement.ts';

/** The p-th quantile as the smallest run with at least that share of runs at or below it (no interpolation). */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Median and p90 of timed runs, as every runner reports them; the runs keep their order. */
export function summariseRuns(runsMs: readonly number[]): MeasurementOk['latency'] {
  if (runsMs.length === 0) throw new RangeError('no timed runs to summarise');
  const sorted = [...runsMs].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median = sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median_ms: median, p90_ms: quantile(sorted, 0.9), runs_ms: [...runsMs] };
}
