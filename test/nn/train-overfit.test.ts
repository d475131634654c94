import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initWasmBackend } from '../../src/nn/backend/wasm-setup.ts';
import { disposeParams, initParams } from '../../src/nn/model/params.ts';
import { Sgd } from '../../src/nn/train/sgd.ts';
import { trainEpoch } from '../../src/nn/train/trainer.ts';
import { loadSpace } from '../../src/space/load-space.ts';
import { realise } from '../../src/space/realise.ts';
import { Prng } from '../../src/util/prng.ts';

const BATCH = 16;
const MAX_STEPS = 60;
const TARGET_LOSS = 0.05;

test('a realised net trained with SGD on wasm overfits one fixed batch of random images', async () => {
  await initWasmBackend();
  const space = loadSpace('mobilenetv3', { widthMult: 0.35 });
  const graph = realise(space, { ks: Array<number>(10).fill(3), e: Array<number>(10).fill(3), d: [2, 2, 2, 2, 2] }, { resolution: 32, classes: 10 });
  const params = initParams(graph, 1);
  const rng = new Prng(5);
  const batch = {
    images: Float32Array.from({ length: BATCH * 32 * 32 * 3 }, () => rng.normal()),
    labels: Uint8Array.from({ length: BATCH }, (_, i) => i % 10),
    size: BATCH,
  };
  const optimiser = new Sgd(params.tensors, { weightDecay: 0 });
  const losses: number[] = [];
  while (losses.length < MAX_STEPS && (losses.at(-1) ?? Infinity) >= TARGET_LOSS) {
    losses.push(trainEpoch(graph, params, [batch], { optimiser, lr: 0.05 }));
  }
  // Random labels on noise: an untrained net starts near ln(10), so reaching the target means learning.
  assert.ok(losses[0] > 1.5, `initial cross-entropy ${losses[0].toFixed(3)}`);
  assert.ok((losses.at(-1) as number) < TARGET_LOSS, `cross-entropy still ${losses.at(-1)?.toFixed(4)} after ${losses.length} steps`);
  optimiser.dispose();
  disposeParams(params);
});
