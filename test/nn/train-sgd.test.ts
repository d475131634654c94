import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initWasmBackend } from '../../src/nn/backend/wasm-setup.ts';
import { cosineLearningRate } from '../../src/nn/train/schedule.ts';
import { Sgd } from '../../src/nn/train/sgd.ts';

function assertClose(actual: ArrayLike<number>, expected: readonly number[], tolerance = 1e-6): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `[${i}] ${actual[i]} != ${expected[i]}`);
  }
}

describe('Sgd', () => {
  before(() => initWasmBackend());

  test('two steps match PyTorch SGD (momentum 0.9, L2 weight decay added to the gradient) by hand', () => {
    const decayed = tf.variable(tf.tensor1d([1, -2]));
    const plain = tf.variable(tf.tensor1d([1, -2]));
    const frozen = tf.variable(tf.tensor1d([3]), false);
    const sgd = new Sgd(
      [
        { variable: decayed, decay: true },
        { variable: plain, decay: false },
        { variable: frozen, decay: true },
      ],
      { momentum: 0.9, weightDecay: 0.01 },
    );
    assert.deepEqual(sgd.variables, [decayed, plain]);
    const grad = tf.tensor1d([0.5, 0.5]);
    const grads = { [decayed.name]: grad, [plain.name]: grad, [frozen.name]: tf.tensor1d([1]) };
    const count = tf.memory().numTensors;
    sgd.step(grads, 0.1);
    // g' = g + 0.01 p = [0.51, 0.48]; v = g'; p = p - 0.1 v
    assertClose(decayed.dataSync(), [0.949, -2.048]);
    assertClose(plain.dataSync(), [0.95, -2.05]);
    sgd.step(grads, 0.1);
    // g' = [0.5 + 0.00949, 0.5 - 0.02048]; v = 0.9 [0.51, 0.48] + g' = [0.96849, 0.91152]
    assertClose(decayed.dataSync(), [0.949 - 0.096849, -2.048 - 0.091152]);
    // v = 0.9 * 0.5 + 0.5 = 0.95
    assertClose(plain.dataSync(), [0.95 - 0.095, -2.05 - 0.095]);
    assert.deepEqual(Array.from(frozen.dataSync()), [3]);
    assert.equal(tf.memory().numTensors, count, 'a step allocates nothing that outlives it');
    sgd.dispose();
    tf.dispose([decayed, plain, frozen, ...Object.values(grads)]);
  });
});

describe('cosineLearningRate', () => {
  test('anneals from lr0 towards 0 once per epoch', () => {
    const rates = Array.from({ length: 4 }, (_, epoch) => cosineLearningRate(0.1, epoch, 4));
    assertClose(rates, [0.1, 0.1 * (1 + Math.SQRT1_2) / 2, 0.05, 0.1 * (1 - Math.SQRT1_2) / 2], 1e-12);
    assert.equal(cosineLearningRate(0.1, 0, 1), 0.1);
  });

  test('refuses epochs outside the schedule', () => {
    assert.throws(() => cosineLearningRate(0.1, 4, 4), /epoch must be an integer in \[0, 4\), got 4/);
    assert.throws(() => cosineLearningRate(0.1, 0, 0), /epochs must be a positive integer, got 0/);
  });
});
