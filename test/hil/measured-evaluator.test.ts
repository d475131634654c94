import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tinyMl } from '../../src/graph/tiny-ml.ts';
import { DEFAULT_MEASURE_SETTINGS } from '../../src/measure/measurement.ts';
import type { FailureReason, Measurement, Provenance } from '../../src/measure/measurement.ts';
import { saveCheckpoint } from '../../src/nn/model/checkpoint.ts';
import { initParams } from '../../src/nn/model/params.ts';
import { defaultCostSettings } from '../../src/search/evaluators/analytic.ts';
import { MeasuredEvaluator } from '../../src/search/evaluators/measured.ts';
import type { MeasureFn, MeasuredSettings } from '../../src/search/evaluators/measured.ts';
import { SyntheticEvaluator } from '../../src/search/evaluators/synthetic.ts';
import type { EvalRequest } from '../../src/search/evaluator.ts';
import { loadSpace } from '../../src/space/load-space.ts';
import { realise } from '../../src/space/realise.ts';

const space = loadSpace('mobilenetv3', { widthMult: 0.35, lr: 64, ur: 64, rstep: 4 });
const cost = defaultCostSettings(space, 10);
const config = { ks: new Array(20).fill(3), e: new Array(20).fill(3), d: [2, 2, 2, 2, 2], r: 64 };

function provenance(profile: string): Provenance {
  return { board: `fake-${profile}`, profile, agent: 'test', firmware: 'none', runtime: 'fake', simulated: true, settings: DEFAULT_MEASURE_SETTINGS, time: new Date(0).toISOString() };
}

function ok(profile: string, latency: number, arena: number): Measurement {
  return { ok: true, latency: { median_ms: latency, p90_ms: latency, runs_ms: [latency] }, arena: { bytes: arena }, flash_bytes: 300 * 1024, macs: 1, params: 1, provenance: provenance(profile) };
}

function failed(profile: string, reason: FailureReason): Measurement {
  return { ok: false, reason, message: `${profile} says ${reason}`, provenance: provenance(profile) };
}

function evaluator(measure: MeasureFn, settings: Partial<MeasuredSettings> = {}): MeasuredEvaluator {
  return new MeasuredEvaluator(new SyntheticEvaluator(space, cost), space, cost, measure, { boards: ['nucleo-l4r5zi'], agg: 'max', seed: 0, calibrationImages: 2, ...settings });
}

function request(): EvalRequest {
  return { config, dir: join(mkdtempSync(join(tmpdir(), 'cnas-measured-')), 'net_0'), iteration: 0, index: 0, alphaNorm: 1 };
}

test('measured keys come from the board, replace the cost-model estimates, and are left to the surrogates', async () => {
  const seen: string[] = [];
  const e = evaluator(async (model, selector) => {
    seen.push(selector);
    assert.equal(model[4], 0x54, 'a TFLite flatbuffer (identifier TFL3)');
    return ok(selector, 12.5, 100 * 1024);
  });
  assert.equal(e.exactKeys.includes('ram_kb') || e.exactKeys.includes('flash_kb'), false);
  for (const k of ['top1', 'latency_ms', 'ram_kb', 'flash_kb', 'energy_mj']) assert.ok(e.keys.includes(k), k);
  const r = request();
  const done: number[] = [];
  const [outcome] = await e.evaluate([r], (i) => done.push(i));
  assert.deepEqual(done, [0]);
  assert.ok(outcome.ok);
  assert.deepEqual(seen, ['nucleo-l4r5zi']);
  assert.equal(outcome.stats.latency_ms, 12.5);
  assert.equal(outcome.stats.ram_kb, 100);
  assert.equal(outcome.stats.flash_kb, 300);
  assert.equal(outcome.stats.energy_mj, undefined, 'no power model, no energy');
  assert.equal((outcome.stats.measurement as Measurement).provenance.board, 'fake-nucleo-l4r5zi');
  assert.deepEqual(outcome.stats.export, { weights: 'seeded random (seed 0)', calibration: '2 seeded random-normal images (seed 1; no dataset)' });
  assert.ok(existsSync(join(r.dir, 'model.tflite')));
});

test('a board that refuses the model yields a constraint violation with its reason, not a failed candidate; --board-agg each keeps every board', async () => {
  const e = evaluator(async (_model, selector) => (selector === 'rpi-pico' ? failed(selector, 'arena_overflow') : ok(selector, 20, 90 * 1024)), { boards: ['nucleo-l4r5zi', 'rpi-pico'], agg: 'each' });
  assert.ok(e.keys.includes('latency_ms@rpi-pico'));
  const [outcome] = await e.evaluate([request()]);
  assert.ok(outcome.ok);
  const m = outcome.stats.measurement as Record<string, { ok: boolean; reason?: string; estimated?: { source: string; ram_kb: number } }>;
  assert.equal(m['nucleo-l4r5zi'].ok, true);
  assert.equal(m['rpi-pico'].reason, 'arena_overflow');
  assert.equal(m['rpi-pico'].estimated?.source, 'simulator rpi-pico');
  assert.equal(outcome.stats['ram_kb@nucleo-l4r5zi'], 90);
  assert.equal(outcome.stats['ram_kb@rpi-pico'], m['rpi-pico'].estimated?.ram_kb);
  assert.equal(outcome.stats.ram_kb, Math.max(90, m['rpi-pico'].estimated!.ram_kb), 'max is the worst board');
  assert.ok((outcome.stats['latency_ms@rpi-pico'] as number) > 0, 'latency estimated by the profile simulator');
});

test('other measurement failures fail the candidate with the board and reason; inner failures pass through', async () => {
  const e = evaluator(async (_m, selector) => failed(selector, 'board_error'));
  const [outcome] = await e.evaluate([request()]);
  assert.deepEqual(outcome, { ok: false, reason: 'measurement on nucleo-l4r5zi: board_error: nucleo-l4r5zi says board_error' });
  const thrown = evaluator(async () => Promise.reject(new Error('hub gone')));
  assert.deepEqual((await thrown.evaluate([request()]))[0], { ok: false, reason: 'measurement on nucleo-l4r5zi: hub gone' });
  const bad = await evaluator(async () => assert.fail('not measured')).evaluate([{ ...request(), config: { ...config, d: [9, 9, 9, 9, 9] } }]);
  assert.equal(bad[0].ok, false);
});

test('a trained checkpoint in <dir>/ckpt is exported instead of random weights', async () => {
  const r = request();
  saveCheckpoint(join(r.dir, 'ckpt'), realise(space, config, { classes: 10 }), initParams(realise(space, config, { classes: 10 }), 7));
  const models: Uint8Array[] = [];
  const e = evaluator(async (model, selector) => {
    models.push(model);
    return ok(selector, 1, 1024);
  });
  const [trained] = await e.evaluate([r]);
  assert.ok(trained.ok);
  assert.equal((trained.stats.export as { weights: string }).weights, 'checkpoint ckpt/');
  await e.evaluate([request()]);
  assert.notDeepEqual(models[0], models[1]);
  assert.deepEqual(new Uint8Array(readFileSync(join(r.dir, 'model.tflite'))), models[0]);
});

test('--tiny-ml measured: tiny_ml per board from its flash and arena, the worst board as tiny_ml, left to the surrogates', async () => {
  const e = evaluator(async (_model, selector) => (selector === 'rpi-pico' ? failed(selector, 'arena_overflow') : ok(selector, 20, 90 * 1024)), {
    boards: ['nucleo-l4r5zi', 'rpi-pico'],
    agg: 'each',
    tinyMl: 'measured',
  });
  assert.equal(e.exactKeys.includes('tiny_ml'), false);
  assert.ok(e.keys.includes('tiny_ml@rpi-pico'));
  assert.match(String(e.info.tiny_ml), /^measured/);
  const [outcome] = await e.evaluate([request()]);
  assert.ok(outcome.ok);
  const s = outcome.stats;
  const expected = (board: string): number =>
    tinyMl({ params: ((s[`flash_kb@${board}`] as number) * 1024) / 1e6, macs: s.macs as number, activations: ((s[`ram_kb@${board}`] as number) * 1024) / 1e6 }, cost.tinyMl);
  assert.equal(s['tiny_ml@nucleo-l4r5zi'], expected('nucleo-l4r5zi'));
  assert.equal(s['tiny_ml@nucleo-l4r5zi'], tinyMl({ params: 0.3072, macs: s.macs as number, activations: 0.09216 }, cost.tinyMl));
  assert.equal(s['tiny_ml@rpi-pico'], expected('rpi-pico'), 'a refused board counts with its estimated arena and flash');
  assert.equal(s.tiny_ml, Math.max(expected('nucleo-l4r5zi'), expected('rpi-pico')));
  assert.equal(s.tiny_ml_source, 'measured');

  const [plain] = await evaluator(async (_m, selector) => ok(selector, 1, 1024)).evaluate([request()]);
  assert.ok(plain.ok);
  assert.equal(plain.stats.tiny_ml_source, 'cost');
  assert.equal(plain.stats.tiny_ml, tinyMl({ params: plain.stats.params as number, macs: plain.stats.macs as number, activations: plain.stats.activations as number }, cost.tinyMl));
});
