import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { kendallTau } from '../../src/predictors/metrics.ts';
import { MlpSurrogate } from '../../src/predictors/mlp.ts';
import { benchmarkSplit } from './benchmark-function.ts';

before(async () => {
  // IS_TEST silences TF.js's advice to install tfjs-node and turns on its per-kernel leak checks.
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
});

test('mlp ranks held-out points of the 45-gene benchmark with tau >= 0.7', async () => {
  const { X, y, testX, testY } = benchmarkSplit(1);
  // 60 of the default 2000 epochs keep this test around 20 s on the pure-JS backend; the network is
  // still far from converged, so the bar is met with less margin than by the other models.
  const mlp = new MlpSurrogate({ seed: 7, epochs: 60 });
  await mlp.fit(X, y);
  assert.equal(mlp.name, 'mlp');
  assert.ok(kendallTau(mlp.predict(testX), testY) >= 0.7);
});

test('mlp: the same seed gives the same predictions, another seed other ones, and no tensor leaks', async () => {
  const { X, y, testX } = benchmarkSplit(2, 30, 10);
  const tensorsBefore = tf.memory().numTensors;
  const predict = async (seed: number): Promise<number[]> => {
    const mlp = new MlpSurrogate({ seed, epochs: 3 });
    await mlp.fit(X, y);
    return mlp.predict(testX);
  };
  const first = await predict(5);
  assert.deepEqual(await predict(5), first);
  assert.notDeepEqual(await predict(6), first);
  assert.equal(tf.memory().numTensors, tensorsBefore);
});

test('mlp rejects data too small for a train/validation split and bad epoch counts', async () => {
  await assert.rejects(new MlpSurrogate({ seed: 1 }).fit([[1, 2]], [3]), /at least 2 training points, got 1/);
  assert.throws(() => new MlpSurrogate({ seed: 1, epochs: 0 }), /epochs must be a positive integer/);
});
