/** One measured piece of an early-exit network, in the order a device runs them (see `splitSegments`). */
export interface SegmentLatency {
  file: string;
  role: 'backbone' | 'exit' | 'final';
  /** The exit the piece ends at (backbone) or computes (exit, final). */
  exit: number;
  latency_ms: number;
  arena_bytes: number;
  /** What the board reports: the model plus the runtime's code. */
  flash_bytes: number;
  /** The .tflite file alone. */
  model_bytes: number;
}

export interface ExitLatency {
  exit: number;
  final: boolean;
  /** Share of the samples leaving here. */
  ratio: number;
  /** Every segment up to and including this exit's head: the earlier heads ran too, and said "go on". */
  cumulative_latency_ms: number;
}

export interface LatencyDistribution {
  /** Per-sample latency of a device running the exits in sequence: each exit's cumulative latency with its share. */
  histogram: { latency_ms: number; share: number }[];
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
}

export interface EennLatency {
  exits: ExitLatency[];
  /** sum_i ratio_i * cumulative_latency_i. */
  expected_latency_ms: number;
  distribution: LatencyDistribution;
  /** The segments run one at a time, so the arena is the largest one's. */
  arena_bytes: number;
  /** Every segment is stored, with one copy of the runtime's code (what a board adds to each model's size). */
  flash_bytes: number;
}

/** Smallest cumulative latency whose exits hold at least a share `p` of the samples (exits are in latency order). */
function quantile(exits: readonly ExitLatency[], p: number): number {
  let share = 0;
  for (const e of exits) {
    share += e.ratio;
    // Ratios are shares of a finite sample count; a rounding residue must not skip an exit.
    if (share >= p - 1e-12) return e.cumulative_latency_ms;
  }
  return exits[exits.length - 1].cumulative_latency_ms;
}

/**
 * What an early-exit network costs on a board that runs its segments in sequence and stops at the first
 * confident exit, from each segment's measured latency and the share of samples leaving at each exit.
 */
export function eennLatency(segments: readonly SegmentLatency[], ratios: readonly number[]): EennLatency {
  const exitCount = segments.filter((s) => s.role !== 'backbone').length;
  if (exitCount < 2) throw new Error(`eennLatency: an early-exit network has two or more exits, got ${exitCount}`);
  if (ratios.length !== exitCount) throw new Error(`eennLatency: ${ratios.length} ratios for ${exitCount} exits`);
  if (ratios.some((r) => !(r >= 0)) || Math.abs(ratios.reduce((a, b) => a + b, 0) - 1) > 1e-9) throw new Error(`eennLatency: ratios must be non-negative and sum to 1, got ${ratios.join(', ')}`);
  const exits: ExitLatency[] = [];
  let elapsed = 0;
  for (const s of segments) {
    elapsed += s.latency_ms;
    if (s.role === 'backbone') continue;
    if (s.exit !== exits.length) throw new Error(`eennLatency: segment ${s.file} computes exit ${s.exit}, expected exit ${exits.length}`);
    exits.push({ exit: s.exit, final: s.role === 'final', ratio: ratios[s.exit], cumulative_latency_ms: elapsed });
  }
  return {
    exits,
    expected_latency_ms: exits.reduce((sum, e) => sum + e.ratio * e.cumulative_latency_ms, 0),
    distribution: {
      histogram: exits.filter((e) => e.ratio > 0).map((e) => ({ latency_ms: e.cumulative_latency_ms, share: e.ratio })),
      p50_ms: quantile(exits, 0.5),
      p90_ms: quantile(exits, 0.9),
      p99_ms: quantile(exits, 0.99),
    },
    arena_bytes: Math.max(...segments.map((s) => s.arena_bytes)),
    flash_bytes: Math.max(0, Math.min(...segments.map((s) => s.flash_bytes - s.model_bytes))) + segments.reduce((sum, s) => sum + s.model_bytes, 0),
  };
}
