import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MEASURE_SETTINGS } from '../../src/measure/measurement.ts';
import type { MeasurementOk } from '../../src/measure/measurement.ts';
import { createEvaluator } from '../../src/search/evaluators/create-evaluator.ts';
import { readIterationStats } from '../../src/search/iteration-stats.ts';
import { completedIterations, iterationStatsPath, netStatsPath, readJsonIfExists } from '../../src/search/run-files.ts';
import { runSearch } from '../../src/search/search-loop.ts';
import { resolveSearchOptions } from '../../src/search/search-options.ts';
import { loadSpace } from '../../src/space/load-space.ts';

/** A synthetic search of 58 architectures (DOE 50, two iterations of 4) on top1 and MACs. */
export async function smallRun(): Promise<string> {
  const save = join(mkdtempSync(join(tmpdir(), 'cnas-report-')), 'run');
  const options = resolveSearchOptions({ save, sec_obj: ['macs'], lr: 40, ur: 104, n_classes: 10, n_doe: 50, iterations: 2, n_iter: 4, pop_size: 20, generations: 5 });
  const space = loadSpace('mobilenetv3', { lr: 40, ur: 104 });
  await runSearch(options, { space, evaluator: await createEvaluator(options, space) });
  return save;
}

function measurement(board: string, simulated: boolean, latency: number, arena: number, flash: number): MeasurementOk {
  return {
    ok: true,
    latency: { median_ms: latency, p90_ms: latency, runs_ms: [latency] },
    arena: { bytes: arena },
    flash_bytes: flash,
    macs: 0,
    params: 0,
    provenance: { board, profile: 'nucleo-l4r5zi', agent: 'lab', firmware: simulated ? 'none' : 'cnas-tflm 0.1', runtime: simulated ? 'simulator' : 'tflm', simulated, settings: DEFAULT_MEASURE_SETTINGS, time: new Date(0).toISOString() },
  };
}

/**
 * Gives every architecture of the run a measurement on a simulated NUCLEO-L4R5ZI and on a "real" one (made up
 * here: the simulator's numbers with a deterministic error), keyed by board selector as a search with two
 * boards stores them.
 */
export function addSimulatedAndRealMeasurements(save: string): number {
  const last = readIterationStats(iterationStatsPath(save, completedIterations(save).at(-1)!));
  last.archive_nets.forEach(([iteration, net], i) => {
    const path = netStatsPath(save, iteration, net);
    const stats = readJsonIfExists(path) as Record<string, number>;
    // macs is in millions
    const latency = 2 + 0.8 * stats.macs;
    const [arena, flash] = [20000 + 900 * stats.macs, 200000 + 20000 * stats.macs];
    const err = 1 + 0.15 * Math.sin(i);
    writeFileSync(path, JSON.stringify({ ...stats, measurement: { 'nucleo-l4r5zi': measurement('sim-nucleo-l4r5zi-0', true, latency, arena, flash), 'lab-l4r5zi': measurement('lab-l4r5zi', false, latency * err, Math.round(arena * 1.05), flash + 2048) } }));
  });
  return last.archive_nets.length;
}
