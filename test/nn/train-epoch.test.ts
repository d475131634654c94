import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { ConvLayer, NetGraph } from '../../src/graph/types.ts';
import { initWasmBackend } from '../../src/nn/backend/wasm-setup.ts';
import { forward } from '../../src/nn/model/forward.ts';
import { disposeParams, initParams } from '../../src/nn/model/params.ts';
import type { ConvParams, NetParams } from '../../src/nn/model/params.ts';
import type { Batch } from '../../src/nn/train/batch.ts';
import { evaluate } from '../../src/nn/train/evaluate.ts';
import { Sgd } from '../../src/nn/train/sgd.ts';
import { trainEpoch } from '../../src/nn/train/trainer.ts';
import type { BatchReport } from '../../src/nn/train/trainer.ts';
import { loadSpace } from '../../src/space/load-space.ts';
import { realise } from '../../src/space/realise.ts';
import { Prng } from '../../src/util/prng.ts';

const SMALLEST = { ks: Array<number>(10).fill(3), e: Array<number>(10).fill(3), d: [2, 2, 2, 2, 2] };

function small(space: string, extra: object = {}): NetGraph {
  return realise(loadSpace(space, { widthMult: 0.35 }), { ...SMALLEST, ...extra }, { resolution: 32, classes: 10 });
}

function randomBatch(n: number, seed: number): Batch {
  const rng = new Prng(seed);
  return { images: Float32Array.from({ length: n * 32 * 32 * 3 }, () => rng.normal()), labels: Int32Array.from({ length: n }, () => rng.int(10)), size: n };
}

function snapshot(params: NetParams, select: (name: string) => boolean): Float32Array[] {
  return params.tensors.filter((t) => select(t.name)).map((t) => (t.variable.dataSync() as Float32Array).slice());
}

function changed(before: Float32Array[], after: Float32Array[]): boolean {
  return before.some((values, i) => values.some((v, j) => v !== after[i][j]));
}

describe('training mode and batch norm', () => {
  before(() => initWasmBackend());

  test('a training-mode pass updates the moving statistics as PyTorch does; an inference pass leaves them', () => {
    const graph = small('mobilenetv3');
    const params = initParams(graph, 1);
    const batch = randomBatch(4, 1);
    const images = tf.tensor4d(batch.images, [batch.size, 32, 32, 3]);
    const layer = graph.layers[0] as ConvLayer;
    const { kernel, bn } = params.layers.get(layer.name) as ConvParams;
    const p = layer.padding;
    const [mean, variance, count] = tf.tidy(() => {
      const y = tf.conv2d(images, kernel, layer.stride, [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]]);
      const moments = tf.moments(y, [0, 1, 2]);
      return [moments.mean.dataSync(), moments.variance.dataSync(), y.size / y.shape[3]];
    });
    const momentum = 0.25;
    tf.dispose(forward(graph, params, images, { training: true, bnMomentum: momentum }));
    const runningMean = bn?.movingMean.dataSync() as Float32Array;
    const runningVar = bn?.movingVariance.dataSync() as Float32Array;
    for (let c = 0; c < mean.length; c++) {
      assert.ok(Math.abs(runningMean[c] - momentum * mean[c]) < 1e-5, `running mean[${c}]`);
      const unbiased = (variance[c] * count) / (count - 1);
      assert.ok(Math.abs(runningVar[c] - ((1 - momentum) + momentum * unbiased)) < 1e-4, `running var[${c}]`);
    }
    const stats = snapshot(params, (name) => name.includes('running'));
    tf.dispose(forward(graph, params, images, { training: false }));
    assert.ok(!changed(stats, snapshot(params, (name) => name.includes('running'))));
    tf.dispose(images);
    disposeParams(params);
  });

  test('training mode refuses a single value per channel, as PyTorch does', () => {
    const graph = small('mobilenetv3');
    const params = initParams(graph, 1);
    const images = tf.tensor4d(randomBatch(1, 2).images, [1, 32, 32, 3]);
    assert.throws(() => forward(graph, params, images, { training: true }), /batch norm of \S+ in training mode needs more than 1 value per channel, got 1/);
    tf.dispose(images);
    disposeParams(params);
  });
});

describe('trainEpoch', () => {
  before(() => initWasmBackend());

  test('leaks no tensors, reports every batch and returns the size-weighted mean loss', () => {
    const graph = small('mobilenetv3');
    const params = initParams(graph, 2);
    const optimiser = new Sgd(params.tensors);
    const batches = [randomBatch(8, 1), randomBatch(4, 2), randomBatch(6, 3)];
    const reports: BatchReport[] = [];
    const count = tf.memory().numTensors;
    const mean = trainEpoch(graph, params, batches, { optimiser, lr: 0.01, labelSmoothing: 0.1, onBatch: (r) => reports.push(r) });
    assert.equal(tf.memory().numTensors, count);
    trainEpoch(graph, params, batches, { optimiser, lr: 0.01 });
    evaluate(graph, params, batches, { keepSoftmax: true });
    assert.equal(tf.memory().numTensors, count);
    assert.deepEqual(reports.map((r) => [r.index, r.n]), [[0, 8], [1, 4], [2, 6]]);
    const expected = reports.reduce((s, r) => s + r.loss * r.n, 0) / 18;
    assert.ok(Math.abs(mean - expected) < 1e-9);
    optimiser.dispose();
    disposeParams(params);
  });

  test('trains only the final exit by default and every exit with a positive weight', () => {
    const graph = small('eemobilenetv3', { t: [0.1, 1, 0.2, 1] });
    assert.equal(graph.exits.length, 3);
    const isExit = (name: string) => name.startsWith('exits.');
    for (const exitWeights of [undefined, [0.5, 0.5, 1]]) {
      const params = initParams(graph, 3);
      const optimiser = new Sgd(params.tensors);
      const heads = snapshot(params, isExit);
      const backbone = snapshot(params, (name) => !isExit(name));
      trainEpoch(graph, params, [randomBatch(4, 4)], { optimiser, lr: 0.01, exitWeights });
      assert.equal(changed(heads, snapshot(params, isExit)), exitWeights !== undefined);
      assert.ok(changed(backbone, snapshot(params, (name) => !isExit(name))));
      optimiser.dispose();
      disposeParams(params);
    }
  });

  test('refuses bad exit weights and batches that do not fit the network', () => {
    const graph = small('mobilenetv3');
    const params = initParams(graph, 4);
    const optimiser = new Sgd(params.tensors);
    const good = randomBatch(2, 5);
    const train = (batch: Batch, exitWeights?: number[]) => trainEpoch(graph, params, [batch], { optimiser, lr: 0.01, exitWeights });
    assert.throws(() => train(good, [1, 1]), /exitWeights must be 1 non-negative numbers, not all 0; got \[1, 1\]/);
    assert.throws(() => train(good, [0]), /exitWeights/);
    assert.throws(() => train({ ...good, images: good.images.subarray(1) }), /images has 6143 values; 2 images of 32x32x3 need 6144/);
    assert.throws(() => train({ ...good, labels: Int32Array.of(1, 10) }), /label 10 is outside 0\.\.9/);
    assert.throws(() => train({ ...good, labels: Int32Array.of(1) }), /labels has 1 labels for 2 images/);
    assert.throws(() => trainEpoch(graph, params, [], { optimiser, lr: 0.01 }), /no batches/);
    optimiser.dispose();
    disposeParams(params);
  });
});

describe('evaluate', () => {
  before(() => initWasmBackend());

  test('scores every exit in inference mode and keeps the softmax rows on request', () => {
    const graph = small('cbnmobilenetv3', { b: [0, 1, 0, 1] });
    const params = initParams(graph, 5);
    const batches = [randomBatch(5, 6), randomBatch(3, 7)];
    const stats = snapshot(params, (name) => name.includes('running'));
    const result = evaluate(graph, params, batches, { keepSoftmax: true });
    assert.ok(!changed(stats, snapshot(params, (name) => name.includes('running'))));
    assert.equal(result.samples, 8);
    assert.deepEqual(Array.from(result.labels ?? []), [...batches[0].labels, ...batches[1].labels]);
    assert.equal(result.exits.length, 3);
    // Accuracy from the logits (softmax rows of a fresh net tie in float32), loss from the kept softmax rows.
    const predictions = tf.tidy(() => {
      const images = tf.concat(batches.map((b) => tf.tensor4d(b.images, [b.size, 32, 32, 3])));
      return forward(graph, params, images, { training: false }).map((l) => tf.argMax(l, 1).dataSync());
    });
    const labels = result.labels as Int32Array;
    result.exits.forEach((exit, e) => {
      const outputs = e < 2 ? 11 : 10;
      const softmax = exit.softmax as Float32Array;
      assert.equal(softmax.length, 8 * outputs);
      let loss = 0;
      for (let i = 0; i < 8; i++) {
        const row = softmax.subarray(i * outputs, (i + 1) * outputs);
        assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
        loss -= Math.log(row[labels[i]]);
      }
      assert.equal(exit.accuracy, predictions[e].filter((p, i) => p === labels[i]).length / 8);
      assert.ok(Math.abs(exit.loss - loss / 8) < 1e-4, `exit ${e} loss ${exit.loss} vs ${loss / 8}`);
    });
    assert.equal(evaluate(graph, params, batches).exits[0].softmax, undefined);
    disposeParams(params);
  });
});
