import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { initWasmBackend } from '../../src/nn/backend/wasm-setup.ts';
import { Prng } from '../../src/util/prng.ts';

/**
 * Every wasm gradient kernel (composed or overridden) against tfjs's reference cpu backend, on the
 * convolutions the OFA MobileNetV3 supernet produces at 32 px: the 3x3 stride-2 stem, pointwise convolutions
 * and k x k depthwise ones (k = 3, 5, 7, strides 1 and 2) on 16, 8, 4, 2 and 1 px maps, with PyTorch's
 * symmetric k // 2 padding. A few regular k x k convolutions cover the general weight-gradient path.
 *
 * Error measure: max |wasm - cpu| over the tensor divided by max |cpu| (floored at 1e-30). Per-element
 * relative error is meaningless where sums cancel to nearly zero; scaling by the largest magnitude still
 * catches any wrong element, since a wrong tap or misplaced row shifts values by the order of that scale.
 */
const TOLERANCE = 1e-5;
const BATCH = 2;

interface ConvCase {
  size: number;
  channels: number;
  outChannels?: number;
  kernel: number;
  stride: number;
  depthwise: boolean;
}

function label(c: ConvCase): string {
  const kind = c.depthwise ? 'depthwise' : c.kernel === 1 ? 'pointwise' : 'regular';
  const out = c.depthwise ? '' : `->${c.outChannels}`;
  return `${kind} ${c.kernel}x${c.kernel} stride ${c.stride} on ${c.size}x${c.size}x${c.channels}${out}`;
}

/** Depthwise channel counts are expanded widths (stage width x expand ratio 3, 4 or 6) that reach that map size. */
const depthwiseChannels: Record<number, number> = { 16: 48, 8: 72, 4: 120, 2: 336, 1: 960 };

const cases: ConvCase[] = [
  { size: 32, channels: 3, outChannels: 16, kernel: 3, stride: 2, depthwise: false },
  { size: 16, channels: 16, kernel: 3, stride: 1, depthwise: true },
  ...[3, 5, 7].flatMap((kernel) =>
    [1, 2].flatMap((stride) =>
      [16, 8, 4, 2, 1].map((size) => ({ size, channels: depthwiseChannels[size], kernel, stride, depthwise: true })),
    ),
  ),
  { size: 16, channels: 16, outChannels: 64, kernel: 1, stride: 1, depthwise: false },
  { size: 8, channels: 96, outChannels: 24, kernel: 1, stride: 1, depthwise: false },
  { size: 8, channels: 24, outChannels: 144, kernel: 1, stride: 1, depthwise: false },
  { size: 4, channels: 240, outChannels: 40, kernel: 1, stride: 1, depthwise: false },
  { size: 2, channels: 112, outChannels: 672, kernel: 1, stride: 1, depthwise: false },
  { size: 1, channels: 960, outChannels: 160, kernel: 1, stride: 1, depthwise: false },
  { size: 1, channels: 160, outChannels: 960, kernel: 1, stride: 1, depthwise: false },
  { size: 8, channels: 16, outChannels: 8, kernel: 1, stride: 2, depthwise: false },
  { size: 8, channels: 8, outChannels: 12, kernel: 3, stride: 1, depthwise: false },
  { size: 8, channels: 6, outChannels: 8, kernel: 5, stride: 2, depthwise: false },
  { size: 4, channels: 8, outChannels: 4, kernel: 7, stride: 1, depthwise: false },
  { size: 7, channels: 5, outChannels: 6, kernel: 3, stride: 2, depthwise: false },
];

interface CaseData {
  x: Float32Array;
  w: Float32Array;
  /** Weights of the scalar loss sum(r * y), so dY is r: varied, unlike the all-ones dY of sum(y). */
  r: Float32Array;
}

function shapes(c: ConvCase) {
  const outSize = Math.floor((c.size + 2 * (c.kernel >> 1) - c.kernel) / c.stride) + 1;
  const outChannels = c.depthwise ? c.channels : (c.outChannels as number);
  return {
    x: [BATCH, c.size, c.size, c.channels] as [number, number, number, number],
    w: [c.kernel, c.kernel, c.channels, c.depthwise ? 1 : outChannels] as [number, number, number, number],
    y: [BATCH, outSize, outSize, outChannels] as [number, number, number, number],
  };
}

function normals(rng: Prng, count: number): Float32Array {
  return Float32Array.from({ length: count }, () => rng.normal());
}

function caseData(c: ConvCase, seed: number): CaseData {
  const rng = new Prng(seed);
  const s = shapes(c);
  return { x: normals(rng, tf.util.sizeFromShape(s.x)), w: normals(rng, tf.util.sizeFromShape(s.w)), r: normals(rng, tf.util.sizeFromShape(s.y)) };
}

function gradients(c: ConvCase, data: CaseData): { dx: Float32Array; dw: Float32Array } {
  const s = shapes(c);
  const p = c.kernel >> 1;
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [p, p],
    [p, p],
    [0, 0],
  ];
  return tf.tidy(() => {
    const r = tf.tensor4d(data.r, s.y);
    const loss = (x: Tensor, w: Tensor) => {
      const y = c.depthwise ? tf.depthwiseConv2d(x as Tensor4D, w as Tensor4D, c.stride, pad) : tf.conv2d(x as Tensor4D, w as Tensor4D, c.stride, pad);
      return tf.sum(tf.mul(y, r));
    };
    const [dx, dw] = tf.grads(loss)([tf.tensor4d(data.x, s.x), tf.tensor4d(data.w, s.w)]);
    return { dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array };
  });
}

function relativeError(actual: Float32Array, expected: Float32Array): number {
  assert.equal(actual.length, expected.length);
  let diff = 0;
  let scale = 1e-30;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}

before(async () => {
  await initWasmBackend();
});

describe('wasm convolution gradients match the cpu backend', () => {
  cases.forEach((c, i) => {
    test(label(c), async () => {
      const data = caseData(c, 1000 + i);
      await tf.setBackend('cpu');
      const expected = gradients(c, data);
      await initWasmBackend();
      const buffersBefore = tf.memory().numDataBuffers;
      const actual = gradients(c, data);
      assert.equal(tf.memory().numDataBuffers, buffersBefore, 'the kernels leave no wasm buffers behind');
      const dxError = relativeError(actual.dx, expected.dx);
      const dwError = relativeError(actual.dw, expected.dw);
      assert.ok(dxError <= TOLERANCE, `input gradient relative error ${dxError.toExponential(2)}`);
      assert.ok(dwError <= TOLERANCE, `weight gradient relative error ${dwError.toExponential(2)}`);
    });
  });
});
