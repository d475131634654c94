/** What a board that ran an early-exit network per sample measured, next to what the host predicted. */
export interface EennSampleSummary {
  samples: number;
  /** Per sample, in validation order: the board's latency of the pieces it ran, and the exit it left at. */
  latency_ms: number[];
  exits_taken: number[];
  /** The mean per-sample latency: the measured expected latency. */
  expected_latency_ms: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  /** Equal-width bins from the fastest to the slowest sample. */
  histogram: { from_ms: number; to_ms: number; count: number }[];
  exit_ratios: { device: number[]; host: number[] };
  /** Share of the samples that left at the same exit on the board (int8) as on the host (float model). */
  agreement: number;
}

const HISTOGRAM_BINS = 10;

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

function ratios(taken: ArrayLike<number>, exits: number): number[] {
  const counts = new Array<number>(exits).fill(0);
  for (let n = 0; n < taken.length; n++) counts[taken[n]]++;
  return counts.map((c) => c / taken.length);
}

function histogram(latencies: readonly number[], min: number, max: number): EennSampleSummary['histogram'] {
  const width = (max - min) / HISTOGRAM_BINS;
  // identical latencies (a board whose samples all took one path at a steady clock) make one bin
  if (!(width > 0)) return [{ from_ms: min, to_ms: max, count: latencies.length }];
  const bins = Array.from({ length: HISTOGRAM_BINS }, (_, i) => ({ from_ms: min + i * width, to_ms: min + (i + 1) * width, count: 0 }));
  for (const l of latencies) bins[Math.min(HISTOGRAM_BINS - 1, Math.floor((l - min) / width))].count++;
  return bins;
}

/** Summarises per-sample early-exit runs on a board against the host's exits for the same samples. */
export function summariseEennSamples(latencyMs: readonly number[], deviceExits: readonly number[], hostExits: ArrayLike<number>, exits: number): EennSampleSummary {
  const n = latencyMs.length;
  if (n === 0) throw new Error('summariseEennSamples: no samples');
  if (deviceExits.length !== n || hostExits.length !== n) throw new Error(`summariseEennSamples: ${n} latencies, ${deviceExits.length} device exits, ${hostExits.length} host exits`);
  if ([...deviceExits, ...Array.from(hostExits)].some((e) => !(Number.isInteger(e) && e >= 0 && e < exits))) throw new Error(`summariseEennSamples: an exit outside 0..${exits - 1}`);
  const sorted = [...latencyMs].sort((a, b) => a - b);
  let agree = 0;
  for (let i = 0; i < n; i++) if (deviceExits[i] === hostExits[i]) agree++;
  return {
    samples: n,
    latency_ms: [...latencyMs],
    exits_taken: [...deviceExits],
    expected_latency_ms: latencyMs.reduce((a, b) => a + b, 0) / n,
    p50_ms: percentile(sorted, 0.5),
    p90_ms: percentile(sorted, 0.9),
    p99_ms: percentile(sorted, 0.99),
    histogram: histogram(sorted, sorted[0], sorted[n - 1]),
    exit_ratios: { device: ratios(deviceExits, exits), host: ratios(hostExits, exits) },
    agreement: agree / n,
  };
}
