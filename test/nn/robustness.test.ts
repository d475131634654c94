import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initWasmBackend } from '../../src/nn/backend/wasm-setup.ts';
import { initParams } from '../../src/nn/model/params.ts';
import { sigmaGrid, weightNoiseRobustness } from '../../src/nn/robustness.ts';
import { loadSpace } from '../../src/space/load-space.ts';
import { realise } from '../../src/space/realise.ts';
import { Batcher } from '../../src/data/batcher.ts';
import { synthetic } from '../../src/data/synthetic.ts';

before(async () => {
  await initWasmBackend();
});

test('sigma grid as CNAS builds it; only its first value is used', () => {
  assert.deepEqual(sigmaGrid(0.05, 0.05, 0), [0.05]);
  assert.deepEqual(sigmaGrid(0.01, 0.05, 0.02), [0.01, 0.03, 0.05]);
});

test('weight-noise robustness: zero without noise, positive with it, and the weights come back bit-exact', () => {
  const graph = realise(loadSpace('mobilenetv3', { widthMult: 0.35 }), { ks: new Array(10).fill(3), e: new Array(10).fill(3), d: [2, 2, 2, 2, 2] }, { resolution: 32, classes: 10 });
  const params = initParams(graph, 3);
  const data = new Batcher(synthetic(40, 1, { classes: 10, resolution: 32 }), { batchSize: 20, shuffle: false });
  const before = params.tensors.map((t) => Array.from(t.variable.dataSync()));
  const none = weightNoiseRobustness(graph, params, () => data.epoch(0), { sigma: 0, draws: 2, seed: 1 });
  assert.equal(none.robustness, 0);
  const noisy = weightNoiseRobustness(graph, params, () => data.epoch(0), { sigma: 0.5, draws: 3, seed: 1 });
  assert.ok(noisy.robustness >= 0 && noisy.robustness <= 100);
  assert.equal(noisy.accuracy, none.accuracy);
  params.tensors.forEach((t, i) => assert.deepEqual(Array.from(t.variable.dataSync()), before[i], t.name));
  assert.deepEqual(weightNoiseRobustness(graph, params, () => data.epoch(0), { sigma: 0.5, draws: 3, seed: 1 }), noisy, 'seeded noise is reproducible');
});
