import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Tensor4D } from '@tensorflow/tfjs';
import { initWasmBackend } from '../../src/nn/backend/wasm-setup.ts';
import { loadSpace } from '../../src/space/load-space.ts';
import { sampleConfigs } from '../../src/space/sample.ts';
import { Supernet } from '../../src/nn/supernet/supernet.ts';
import { largestConfig, supernetLayout } from '../../src/nn/supernet/layout.ts';
import { subnetTensors } from '../../src/nn/supernet/subnet-tensors.ts';
import { materialise, recalibrateBatchNorm } from '../../src/nn/supernet/materialise.ts';
import { supernetStep } from '../../src/nn/supernet/train-supernet.ts';
import { Sgd } from '../../src/nn/train/sgd.ts';
import { forward } from '../../src/nn/model/forward.ts';
import { realise } from '../../src/space/realise.ts';
import { Prng } from '../../src/util/prng.ts';
import { synthetic } from '../../src/data/synthetic.ts';
import { Batcher } from '../../src/data/batcher.ts';
import type { SubnetConfig } from '../../src/space/config.ts';
import type { Batch } from '../../src/nn/train/batch.ts';

const space = loadSpace('mobilenetv3', { widthMult: 0.35, lr: 32, ur: 32 });
const small: SubnetConfig = { ks: [5, 3, 7, 5, 3, 7, 5, 3, 7, 5, 3], e: [3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4], d: [2, 3, 2, 2, 2] };

before(async () => {
  await initWasmBackend();
});

function randomBatch(n: number, seed: number): Batch {
  const rng = new Prng(seed);
  return { images: Float32Array.from({ length: n * 32 * 32 * 3 }, () => rng.normal()), labels: Int32Array.from({ length: n }, () => rng.int(10)), size: n };
}

test('the supernet holds the largest subnet plus one kernel transform per searchable depthwise conv and size step', () => {
  const layout = supernetLayout(space, 10);
  const transforms = layout.slots.filter((s) => s.role.endsWith('_matrix'));
  assert.equal(transforms.length, 20 * 2);
  assert.deepEqual(transforms.find((s) => s.role === '7to5_matrix')?.shape, [25, 25]);
  assert.deepEqual(transforms.find((s) => s.role === '5to3_matrix')?.shape, [9, 9]);
  assert.equal(layout.maxGraph.blocks.length, 21);
});

test('a subnet takes the first channels and, with identity transforms, the centre of the largest kernel', () => {
  const sn = Supernet.create(space, 10, 1);
  const graph = realise(space, small, { resolution: 32, classes: 10 });
  tf.tidy(() => {
    const t = subnetTensors(sn, graph);
    // blocks.1 is the first block of stage 0, slot 1: expand kernel = first `mid` output channels
    const expand = t.layers.get('blocks.1.conv.inverted_bottleneck');
    const superExpand = sn.tensor('blocks.1.conv.inverted_bottleneck.weight')!;
    assert.ok(expand?.kind === 'conv');
    const mid = expand.kernel.shape[3];
    assert.deepEqual(Array.from(expand.kernel.dataSync()), Array.from(tf.slice(superExpand, [0, 0, 0, 0], [1, 1, 8, mid]).dataSync()));
    // blocks.1 has k=5: the centre 5x5 of slot 1's 7x7 kernel (identity transform)
    const dw = t.layers.get('blocks.1.conv.depth_conv');
    assert.ok(dw?.kind === 'conv');
    const superDw = sn.tensor('blocks.1.conv.depth_conv.weight')! as Tensor4D;
    assert.deepEqual(Array.from(dw.kernel.dataSync()), Array.from(tf.slice(superDw, [1, 1, 0, 0], [5, 5, mid, 1]).dataSync()));
    // blocks.3 is stage 1's first block, slot 5 (not 3): names map static blocks to supernet slots
    const stage1 = t.layers.get('blocks.3.conv.point_linear');
    assert.ok(stage1?.kind === 'conv');
    const superProject = sn.tensor('blocks.5.conv.point_linear.weight')!;
    assert.equal(stage1.kernel.shape[3], superProject.shape[3]);
  });
  sn.dispose();
});

test('kernel transforms: 3x3 = centre of (centre 5x5 of 7x7) * M75^T, then * M53^T', () => {
  const sn = Supernet.create(space, 10, 2);
  const rng = new Prng(3);
  const m75 = sn.tensor('blocks.2.conv.depth_conv.7to5_matrix')!;
  const m53 = sn.tensor('blocks.2.conv.depth_conv.5to3_matrix')!;
  m75.assign(tf.tensor2d(Float32Array.from({ length: 625 }, () => rng.normal()), [25, 25]));
  m53.assign(tf.tensor2d(Float32Array.from({ length: 81 }, () => rng.normal()), [9, 9]));
  const config: SubnetConfig = { ...small, ks: [3, 3, ...small.ks.slice(2)] };
  const graph = realise(space, config, { resolution: 32, classes: 10 });
  tf.tidy(() => {
    const dw = subnetTensors(sn, graph).layers.get('blocks.2.conv.depth_conv');
    assert.ok(dw?.kind === 'conv');
    const mid = dw.kernel.shape[2];
    const w7 = (sn.tensor('blocks.2.conv.depth_conv.weight')!.arraySync() as number[][][][]);
    const M75 = m75.arraySync() as number[][];
    const M53 = m53.arraySync() as number[][];
    const got = dw.kernel.arraySync() as number[][][][];
    for (const c of [0, mid - 1]) {
      const v5 = Array.from({ length: 25 }, (_, i) => w7[1 + Math.floor(i / 5)][1 + (i % 5)][c][0]);
      const t5 = M75.map((row) => row.reduce((s, m, j) => s + m * v5[j], 0));
      const v3 = Array.from({ length: 9 }, (_, i) => t5[(1 + Math.floor(i / 3)) * 5 + 1 + (i % 3)]);
      const t3 = M53.map((row) => row.reduce((s, m, j) => s + m * v3[j], 0));
      for (let i = 0; i < 9; i++) assert.ok(Math.abs(got[Math.floor(i / 3)][i % 3][c][0] - t3[i]) < 1e-4 * (1 + Math.abs(t3[i])));
    }
  });
  sn.dispose();
});

test('materialise copies the inherited weights; recalibration makes running stats the average of batch stats', () => {
  const sn = Supernet.create(space, 10, 4);
  const { graph, params } = materialise(sn, small, { resolution: 32 });
  tf.tidy(() => {
    const viaSlices = forward(graph, subnetTensors(sn, graph), tf.tensor4d(randomBatch(2, 9).images, [2, 32, 32, 3]), { training: false });
    const viaCopy = forward(graph, params, tf.tensor4d(randomBatch(2, 9).images, [2, 32, 32, 3]), { training: false });
    assert.deepEqual(Array.from(viaSlices[0].dataSync()), Array.from(viaCopy[0].dataSync()));
  });
  const batches = [randomBatch(8, 1), randomBatch(8, 2)];
  assert.equal(recalibrateBatchNorm(graph, params, batches, 5), 2);
  const first = params.layers.get('first_conv');
  assert.ok(first?.kind === 'conv' && first.bn);
  const expected = tf.tidy(() => {
    const kernel = first.kernel;
    const means = batches.map((b) => tf.mean(tf.conv2d(tf.tensor4d(b.images, [8, 32, 32, 3]), kernel, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]), [0, 1, 2]));
    return tf.div(tf.add(means[0], means[1]), 2).dataSync();
  });
  const got = first.bn.movingMean.dataSync();
  for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i] - expected[i]) < 1e-4, `channel ${i}: ${got[i]} vs ${expected[i]}`);
  sn.dispose();
});

test('sandwich training lowers the loss and trains the shared weights; early-exit spaces materialise with fresh heads', () => {
  const sn = Supernet.create(space, 10, 5);
  const optimiser = new Sgd(sn.tensors, { weightDecay: 0 });
  const data = synthetic(64, 1, { classes: 10, resolution: 32 });
  const batch = [...new Batcher(data, { batchSize: 32, seed: 1, shuffle: false, dropLast: true, augment: false }).epoch(0)][0];
  const rng = new Prng(6);
  const before = sn.tensor('first_conv.weight')!.dataSync().slice();
  const losses = Array.from({ length: 6 }, () => supernetStep(sn, batch, { optimiser, lr: 0.05, rng, randomSubnets: 1 }));
  assert.ok(losses[losses.length - 1] < losses[0], `losses ${losses.map((l) => l.toFixed(3)).join(' ')}`);
  assert.notDeepEqual(Array.from(sn.tensor('first_conv.weight')!.dataSync()), Array.from(before));
  optimiser.dispose();

  const ee = loadSpace('eemobilenetv3', { widthMult: 0.35, lr: 32, ur: 32 });
  const eeNet = Supernet.create(ee, 10, 7);
  const { graph, params } = materialise(eeNet, { ...small, t: [0.1, 1, 0.2, 1] }, { resolution: 32 });
  assert.equal(graph.exits.length, 3);
  assert.ok(params.layers.has('exits.0.linear'));
  eeNet.dispose();
  sn.dispose();
});

test('supernet files round-trip, and one trained for another space or corrupted is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnas-supernet-'));
  const sn = Supernet.create(space, 10, 8);
  sn.save(dir);
  const back = Supernet.load(dir, space, 10);
  for (let i = 0; i < sn.tensors.length; i += 37) {
    assert.deepEqual(Array.from(back.tensors[i].variable.dataSync()), Array.from(sn.tensors[i].variable.dataSync()));
  }
  assert.throws(() => Supernet.load(dir, loadSpace('mobilenetv3', { widthMult: 0.5 }), 10), /trained for another space: width_mult 0\.35 there, 0\.5 here/);
  assert.throws(() => Supernet.load(dir, space, 100), /classes 10 there, 100 here/);
  const weights = join(dir, 'weights.bin');
  const bytes = readFileSync(weights);
  bytes[100] ^= 0xff;
  writeFileSync(weights, bytes);
  assert.throws(() => Supernet.load(dir, space, 10), /is corrupt: its SHA-256 does not match/);
  const configs = sampleConfigs(space, 3, 1);
  assert.ok(configs.length === 3 && largestConfig(space).d.every((d) => d === 4));
  sn.dispose();
  back.dispose();
});
