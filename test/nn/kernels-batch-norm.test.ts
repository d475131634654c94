import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { Tensor, Tensor1D, Tensor4D } from '@tensorflow/tfjs';
import { batchNormTrain } from '../../src/nn/backend/batch-norm.ts';
import { initWasmBackend } from '../../src/nn/backend/wasm-setup.ts';
import { Prng } from '../../src/util/prng.ts';

/** Error measure as in kernels-gradients: max |a - b| over the tensor divided by max |b|. */
const TOLERANCE = 1e-5;
const EPS = 1e-3;

interface BatchNormData {
  shape: [number, number, number, number];
  x: Float32Array;
  gamma: Float32Array;
  beta: Float32Array;
  /** Weights of the scalar loss sum(r * y). */
  r: Float32Array;
}

function data(shape: [number, number, number, number], seed: number): BatchNormData {
  const rng = new Prng(seed);
  const draw = (count: number, mean: number, sd: number) => Float32Array.from({ length: count }, () => mean + sd * rng.normal());
  const size = tf.util.sizeFromShape(shape);
  const channels = shape[3];
  // An offset mean and a spread of scales, so centring and normalising both matter.
  return { shape, x: draw(size, 1.5, 2), gamma: draw(channels, 1, 0.3), beta: draw(channels, 0, 1), r: draw(size, 0, 1) };
}

type Normalise = (x: Tensor4D, gamma: Tensor1D, beta: Tensor1D) => Tensor4D;

const closedForm: Normalise = (x, gamma, beta) => batchNormTrain(x, gamma, beta, EPS).y;
const autodiff: Normalise = (x, gamma, beta) => {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm<tf.Rank.R4>(x, mean as Tensor1D, variance as Tensor1D, beta, gamma, EPS);
};

function gradients(normalise: Normalise, d: BatchNormData): Float32Array[] {
  return tf.tidy(() => {
    const r = tf.tensor4d(d.r, d.shape);
    const loss = (x: Tensor, gamma: Tensor, beta: Tensor) => tf.sum(tf.mul(normalise(x as Tensor4D, gamma as Tensor1D, beta as Tensor1D), r));
    const grads = tf.grads(loss)([tf.tensor4d(d.x, d.shape), tf.tensor1d(d.gamma), tf.tensor1d(d.beta)]);
    return grads.map((g) => g.dataSync() as Float32Array);
  });
}

function relativeError(actual: Float32Array, expected: Float32Array): number {
  let diff = 0;
  let scale = 1e-30;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}

function assertClose(actual: Float32Array[], expected: Float32Array[]): void {
  ['x', 'gamma', 'beta'].forEach((name, i) => {
    const error = relativeError(actual[i], expected[i]);
    assert.ok(error <= TOLERANCE, `d${name} relative error ${error.toExponential(2)}`);
  });
}

const shapes: [number, number, number, number][] = [
  [4, 5, 5, 6],
  [3, 4, 4, 16],
  [8, 1, 1, 24],
];

describe('batchNormTrain', () => {
  for (const shape of shapes) {
    test(`closed-form gradient equals tfjs's autodiff of moments + batchNorm on cpu, ${shape.join('x')}`, async () => {
      await tf.setBackend('cpu');
      const d = data(shape, shape[3]);
      assertClose(gradients(closedForm, d), gradients(autodiff, d));
    });
  }

  test('on wasm it gives the cpu gradients', async () => {
    const d = data([4, 6, 6, 8], 7);
    await tf.setBackend('cpu');
    const expected = gradients(autodiff, d);
    await initWasmBackend();
    assertClose(gradients(closedForm, d), expected);
  });

  test('returns the normalised output and the biased batch statistics', async () => {
    await tf.setBackend('cpu');
    const d = data([4, 3, 3, 5], 11);
    tf.tidy(() => {
      const x = tf.tensor4d(d.x, d.shape);
      const gamma = tf.tensor1d(d.gamma);
      const beta = tf.tensor1d(d.beta);
      const { y, mean, variance } = batchNormTrain(x, gamma, beta, EPS);
      const moments = tf.moments(x, [0, 1, 2]);
      assert.ok(relativeError(mean.dataSync() as Float32Array, moments.mean.dataSync() as Float32Array) <= TOLERANCE);
      assert.ok(relativeError(variance.dataSync() as Float32Array, moments.variance.dataSync() as Float32Array) <= TOLERANCE);
      const expected = tf.batchNorm(x, moments.mean, moments.variance, beta, gamma, EPS);
      assert.ok(relativeError(y.dataSync() as Float32Array, expected.dataSync() as Float32Array) <= TOLERANCE);
    });
  });

  test('statistics carry no gradient and every tensor is freed by the enclosing tidy', async () => {
    await initWasmBackend();
    const d = data([2, 3, 3, 4], 13);
    const x = tf.tensor4d(d.x, d.shape);
    const gamma = tf.tensor1d(d.gamma);
    const beta = tf.tensor1d(d.beta);
    const tensorsBefore = tf.memory().numTensors;
    const buffersBefore = tf.memory().numDataBuffers;
    tf.tidy(() => {
      const [dx] = tf.grads((input: Tensor, scale: Tensor, shift: Tensor) => {
        const { y, mean, variance } = batchNormTrain(input as Tensor4D, scale as Tensor1D, shift as Tensor1D, EPS);
        assert.equal(mean.shape[0], 4);
        assert.equal(variance.shape[0], 4);
        return tf.sum(tf.square(y));
      })([x, gamma, beta]);
      assert.equal(dx.shape.length, 4);
    });
    assert.equal(tf.memory().numTensors, tensorsBefore);
    assert.equal(tf.memory().numDataBuffers, buffersBefore);
    // Checked last: tfjs leaks the forward pass's saved tensors when it finds no gradient path.
    const statisticsOnly = tf.grad((input: Tensor) => {
      const { mean, variance } = batchNormTrain(input as Tensor4D, gamma, beta, EPS);
      return tf.add(tf.sum(mean), tf.sum(variance));
    });
    assert.throws(() => statisticsOnly(x), /Cannot compute gradient/);
    tf.dispose([x, gamma, beta]);
  });
});
