import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initWasmBackend } from '../../src/nn/backend/wasm-setup.ts';
import { initParams } from '../../src/nn/model/params.ts';
import { evaluateOod } from '../../src/nn/ood-eval.ts';
import { synthetic } from '../../src/data/synthetic.ts';
import { loadSpace } from '../../src/space/load-space.ts';
import { realise } from '../../src/space/realise.ts';

before(async () => {
  await initWasmBackend();
});

test('OOD report: an error per corruption and severity, their means, and the mean corruption error', () => {
  const graph = realise(loadSpace('mobilenetv3', { widthMult: 0.35 }), { ks: new Array(10).fill(3), e: new Array(10).fill(3), d: [2, 2, 2, 2, 2] }, { resolution: 40, classes: 10 });
  const params = initParams(graph, 2);
  const clean = synthetic(24, 5, { classes: 10, resolution: 32 });
  const report = evaluateOod(graph, params, clean, { corruptions: ['gaussian_noise', 'contrast'], severities: [1, 5], batchSize: 12, seed: 0 });
  assert.equal(report.images, 24);
  assert.deepEqual(Object.keys(report.errors), ['gaussian_noise', 'contrast']);
  for (const row of Object.values(report.errors)) {
    assert.deepEqual(Object.keys(row), ['1', '5', 'mean']);
    assert.equal(row.mean, Math.round(((row['1'] + row['5']) / 2) * 100) / 100);
  }
  assert.equal(report.mce, Math.round(((report.errors.gaussian_noise.mean + report.errors.contrast.mean) / 2) * 100) / 100);
  assert.deepEqual(evaluateOod(graph, params, clean, { corruptions: ['gaussian_noise'], severities: [1], batchSize: 12, seed: 0 }).errors.gaussian_noise, { 1: report.errors.gaussian_noise['1'], mean: report.errors.gaussian_noise['1'] });
});
