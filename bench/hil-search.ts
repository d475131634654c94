/**
 * What hardware in the loop costs a search: a small simulated HIL search against the same search without boards
 * (the baseline, in the same run), with the synthetic evaluator standing in for training; the difference per
 * candidate is export + measurement + the extra surrogates (target: under 1 s). Export and measurement are
 * also timed one by one on the run's own configs.
 * Usage: npx tsx bench/hil-search.ts
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startSimulatedFleet } from '../host/hil/simulated-fleet.ts';
import { createEvaluator, measuredEvaluator } from '../src/search/evaluators/create-evaluator.ts';
import { calibrationRanges, exportTflite } from '../src/export/export-model.ts';
import { realise } from '../src/space/realise.ts';
import type { SubnetConfig } from '../src/space/config.ts';
import { normalImages, randomWeights } from '../test/export/fixtures.ts';
import { runSearch } from '../src/search/search-loop.ts';
import { resolveSearchOptions } from '../src/search/search-options.ts';
import { loadSpace } from '../src/space/load-space.ts';

const dir = mkdtempSync(join(tmpdir(), 'cnas-hil-bench-'));
const space = loadSpace('mobilenetv3', { widthMult: 0.35, lr: 64, ur: 64 });
const base = { width_mult: 0.35, lr: 64, ur: 64, n_classes: 10, n_doe: 46, iterations: 3, n_iter: 4 };

// Baseline: no boards.
const plain = resolveSearchOptions({ ...base, save: join(dir, 'plain'), sec_obj: ['macs'] });
let t = performance.now();
const plainResult = await runSearch(plain, { space, evaluator: await createEvaluator(plain, space) });
const plainSeconds = (performance.now() - t) / 1000;

// With a simulated board. Evaluation, export and measurement overlap (a candidate is measured while the next
// one is evaluated), so the phases are also timed one by one on the run's own models afterwards.
const hil = resolveSearchOptions({ ...base, save: join(dir, 'hil'), sec_obj: ['latency_ms'], max_ram_kb: 256, board: ['nucleo-l4r5zi'], simulate: true });
const fleet = await startSimulatedFleet(hil.board, pino({ level: 'silent' }));
t = performance.now();
const result = await runSearch(hil, { space, evaluator: measuredEvaluator(await createEvaluator(hil, space), hil, space, (model, selector) => fleet.measure(model, selector)) });
const hilSeconds = (performance.now() - t) / 1000;

const configs = readdirSync(join(hil.save, 'iter_0')).slice(0, 10).map((net) => JSON.parse(readFileSync(join(hil.save, 'iter_0', net, `${net}.subnet`), 'utf8')) as SubnetConfig);
t = performance.now();
const models = configs.map((config) => {
  const graph = realise(space, config, { resolution: 64, classes: 10 });
  const weights = randomWeights(graph, 1);
  return exportTflite(graph, weights, { int8: { ranges: calibrationRanges(graph, weights, normalImages(8, 64, 1)), io: 'int8' } });
});
const exportMs = (performance.now() - t) / models.length;
const fresh = await startSimulatedFleet(hil.board, pino({ level: 'silent' }));
t = performance.now();
for (const model of models) await fresh.measure(model, 'nucleo-l4r5zi');
const measureMs = (performance.now() - t) / models.length;
await fresh.close();
await fleet.close();
rmSync(dir, { recursive: true, force: true });

const n = result.archiveSize;
console.log(`simulated HIL search, mobilenetv3 w0.35 at 64 px, ${n} candidates (46 DOE + 3 x 4), synthetic evaluator, node ${process.version}`);
console.log(`baseline: the same search without boards       ${plainSeconds.toFixed(2)} s (${plainResult.archiveSize} candidates)`);
console.log(`with nucleo-l4r5zi (simulated) through the hub  ${hilSeconds.toFixed(2)} s`);
console.log(`hardware in the loop per candidate             ${((hilSeconds - plainSeconds) / n).toFixed(3)} s (target < 1 s, training excluded)`);
console.log(`  of which int8 export (calibration included)  ${exportMs.toFixed(0)} ms, measurement through hub + agent ${measureMs.toFixed(0)} ms (timed one by one)`);
