import type { Measurement, MeasurementOk } from '../measure/measurement.ts';
import { escapeXml, svgChart } from './svg-chart.ts';
import type { Series } from './svg-chart.ts';

/** Quantities a board measures, under their stats keys, read from a successful Measurement. */
const QUANTITIES: readonly { key: string; of: (m: MeasurementOk) => number | undefined }[] = [
  { key: 'latency_ms', of: (m) => m.latency.median_ms },
  { key: 'ram_kb', of: (m) => m.arena.bytes / 1024 },
  { key: 'flash_kb', of: (m) => m.flash_bytes / 1024 },
  { key: 'energy_mj', of: (m) => m.energy_mj },
];

const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

/** A candidate's `stats.measurement`: one Measurement (one board), or one per board selector. */
function measurementsOf(stats: Record<string, unknown>): Measurement[] {
  const m = stats.measurement;
  if (typeof m !== 'object' || m === null) return [];
  if ('provenance' in m) return [m as Measurement];
  return Object.values(m as Record<string, unknown>).filter((v): v is Measurement => typeof v === 'object' && v !== null && 'provenance' in v);
}

/** Per quantity and board profile, the (simulated, real) pairs of candidates measured both ways. */
export function simulatedVsMeasured(candidates: readonly Record<string, unknown>[]): Map<string, Map<string, [number, number][]>> {
  const out = new Map<string, Map<string, [number, number][]>>();
  for (const stats of candidates) {
    const ok = measurementsOf(stats).filter((m): m is MeasurementOk => m.ok);
    for (const sim of ok.filter((m) => m.provenance.simulated)) {
      for (const real of ok.filter((m) => !m.provenance.simulated && m.provenance.profile === sim.provenance.profile)) {
        for (const q of QUANTITIES) {
          const [x, y] = [q.of(sim), q.of(real)];
          if (x === undefined || y === undefined) continue;
          const byProfile = out.get(q.key) ?? new Map<string, [number, number][]>();
          byProfile.set(sim.provenance.profile, [...(byProfile.get(sim.provenance.profile) ?? []), [x, y]]);
          out.set(q.key, byProfile);
        }
      }
    }
  }
  return out;
}

/**
 * The report's section on the simulator's accuracy: per quantity, simulated (x) against measured (y) for every
 * candidate measured on both a simulated and a real board of one profile, with the y = x line. Without such
 * pairs, one sentence says so.
 */
export function simulatedVsMeasuredSection(candidates: readonly Record<string, unknown>[]): string {
  const pairs = simulatedVsMeasured(candidates);
  if (pairs.size === 0) {
    return '<p id="sim-vs-measured">No architecture was measured on both a simulated and a real board of the same profile, so there is nothing to compare the simulator with.</p>';
  }
  const charts = [...pairs].map(([key, byProfile]) => {
    const all = [...byProfile.values()].flat().flat();
    const [lo, hi] = [Math.min(...all), Math.max(...all)];
    const series: Series[] = [...byProfile].map(([profile, points], k) => ({ name: profile, colour: COLOURS[k % COLOURS.length], points }));
    series.push({ name: 'y = x', colour: '#999', points: [[lo, lo], [hi, hi]], line: true, dots: false });
    return svgChart(`${key}: simulated vs measured on the real board`, `simulated ${key}`, `measured ${key}`, series);
  });
  return `<div id="sim-vs-measured">${charts.join('\n')}</div><p>${escapeXml('Each point is one architecture; above the line the board is slower (or needs more) than the simulator predicts.')}</p>`;
}
