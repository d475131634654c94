import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { liveTaps } from '../../src/nn/backend/live-taps.ts';
import { initWasmBackend } from '../../src/nn/backend/wasm-setup.ts';
import { Prng } from '../../src/util/prng.ts';

/** Error measure as in kernels-gradients: max |a - b| over the tensor divided by max |b|. */
const TOLERANCE = 1e-5;

function normals(seed: number, shape: number[]): { values: Float32Array; shape: number[] } {
  const rng = new Prng(seed);
  return { values: Float32Array.from({ length: tf.util.sizeFromShape(shape) }, () => rng.normal()), shape };
}

/** Runs `f` on fresh tensors from `inputs` on cpu, then on wasm, returning both results' values. */
async function onBothBackends(inputs: { values: Float32Array; shape: number[] }[], f: (...xs: Tensor[]) => Tensor) {
  const run = () => tf.tidy(() => f(...inputs.map((i) => tf.tensor(i.values, i.shape))).dataSync() as Float32Array);
  await tf.setBackend('cpu');
  const expected = run();
  await initWasmBackend();
  const buffersBefore = tf.memory().numDataBuffers;
  const actual = run();
  assert.equal(tf.memory().numDataBuffers, buffersBefore, 'no wasm buffers left behind');
  return { actual, expected };
}

function assertClose({ actual, expected }: { actual: Float32Array; expected: Float32Array }): void {
  assert.equal(actual.length, expected.length);
  let diff = 0;
  let scale = 1e-30;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  assert.ok(diff / scale <= TOLERANCE, `relative error ${(diff / scale).toExponential(2)}`);
}

before(async () => {
  await initWasmBackend();
});

describe('BatchMatMul with transposed operands', () => {
  const cases: { a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }[] = [
    { a: [5, 7], b: [7, 3], transposeA: false, transposeB: false },
    { a: [7, 5], b: [7, 3], transposeA: true, transposeB: false },
    { a: [5, 7], b: [3, 7], transposeA: false, transposeB: true },
    { a: [7, 5], b: [3, 7], transposeA: true, transposeB: true },
    { a: [2, 6, 4], b: [2, 3, 6], transposeA: true, transposeB: true },
    { a: [3, 4, 6], b: [1, 5, 6], transposeA: false, transposeB: true },
  ];
  cases.forEach(({ a, b, transposeA, transposeB }, i) => {
    test(`[${a}] x [${b}], transposeA ${transposeA}, transposeB ${transposeB}`, async () => {
      assertClose(await onBothBackends([normals(i, a), normals(100 + i, b)], (x, y) => tf.matMul(x, y, transposeA, transposeB)));
    });
  });
});

describe('depthwise convolution cropped to its live taps', () => {
  const cases: { size: number; kernel: number; stride: number }[] = [
    { size: 1, kernel: 7, stride: 1 },
    { size: 1, kernel: 5, stride: 2 },
    { size: 2, kernel: 7, stride: 1 },
    { size: 2, kernel: 7, stride: 2 },
    { size: 2, kernel: 5, stride: 1 },
    { size: 3, kernel: 7, stride: 2 },
    { size: 4, kernel: 7, stride: 1 },
  ];
  cases.forEach(({ size, kernel, stride }, i) => {
    test(`${kernel}x${kernel} stride ${stride} on ${size}x${size} gives the full filter's output`, async () => {
      const p = kernel >> 1;
      const inputs = [normals(i, [3, size, size, 10]), normals(50 + i, [kernel, kernel, 10, 1])];
      const pad: [[number, number], [number, number], [number, number], [number, number]] = [
        [0, 0],
        [p, p],
        [p, p],
        [0, 0],
      ];
      assertClose(await onBothBackends(inputs, (x, w) => tf.depthwiseConv2d(x as Tensor4D, w as Tensor4D, stride, pad)));
    });
  });

  test("'same' padding on a map smaller than the filter", async () => {
    const inputs = [normals(1, [2, 3, 2, 6]), normals(2, [7, 5, 6, 1])];
    assertClose(await onBothBackends(inputs, (x, w) => tf.depthwiseConv2d(x as Tensor4D, w as Tensor4D, 2, 'same')));
  });

  test('live taps: only the centre of a 7x7 filter meets a 1x1 map; a 3x3 filter on 16x16 is all live', () => {
    const info = (size: number, kernel: number, stride: number) => {
      const p = kernel >> 1;
      return tf.backend_util.computeConv2DInfo([1, size, size, 4], [kernel, kernel, 4, 1], stride, 1, [[0, 0], [p, p], [p, p], [0, 0]], undefined, true);
    };
    assert.deepEqual(liveTaps(info(1, 7, 1)), { begin: [3, 3], size: [1, 1], pad: [[0, 0], [0, 0], [0, 0], [0, 0]] });
    assert.deepEqual(liveTaps(info(2, 7, 2)), { begin: [3, 3], size: [2, 2], pad: [[0, 0], [0, 0], [0, 0], [0, 0]] });
    assert.deepEqual(liveTaps(info(2, 7, 1)), { begin: [2, 2], size: [3, 3], pad: [[0, 0], [1, 1], [1, 1], [0, 0]] });
    assert.equal(liveTaps(info(16, 3, 1)), undefined);
    assert.equal(liveTaps(info(4, 7, 1)), undefined);
  });
});

describe('Identity', () => {
  test('a clone has the same values and outlives its source', async () => {
    await initWasmBackend();
    const source = tf.tensor([1.5, -2, 3.25, 0], [2, 2]);
    const clone = tf.clone(source);
    source.dispose();
    assert.deepEqual(Array.from(clone.dataSync()), [1.5, -2, 3.25, 0]);
    clone.dispose();
  });
});
