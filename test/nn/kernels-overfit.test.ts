import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { Tensor, Tensor1D, Tensor2D, Tensor4D, Variable } from '@tensorflow/tfjs';
import { batchNormTrain } from '../../src/nn/backend/batch-norm.ts';
import { initWasmBackend } from '../../src/nn/backend/wasm-setup.ts';
import { Prng } from '../../src/util/prng.ts';

const BATCH = 32;
const CLASSES = 10;
const MAX_STEPS = 150;
const TARGET_LOSS = 0.01;

type Activation = 'relu' | 'hswish' | 'none';

function hardSwish(x: Tensor4D): Tensor4D {
  return tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6));
}

/**
 * A small MobileNetV3-style net touching every training kernel: a regular stem, depthwise 3x3, 5x5 and 7x7
 * at strides 1 and 2 (the 7x7 on a 2x2 map, so its dead taps get cropped), pointwise convolutions, batch
 * norm, ReLU and hard-swish, global pooling and a dense head.
 */
class TinyNet {
  readonly variables: Variable[] = [];
  private readonly rng = new Prng(42);

  private readonly layers: ((x: Tensor4D) => Tensor4D)[] = [
    this.conv(3, 8, 3, 2, false, 'hswish'),
    this.conv(8, 8, 3, 1, true, 'relu'),
    this.conv(8, 16, 1, 1, false, 'none'),
    this.conv(16, 48, 1, 1, false, 'hswish'),
    this.conv(48, 48, 5, 2, true, 'hswish'),
    this.conv(48, 24, 1, 1, false, 'none'),
    this.conv(24, 72, 1, 1, false, 'relu'),
    this.conv(72, 72, 3, 2, true, 'relu'),
    this.conv(72, 72, 7, 2, true, 'hswish'),
    this.conv(72, 32, 1, 1, false, 'none'),
  ];
  private readonly head = this.parameter([32, CLASSES], 32);
  private readonly bias = this.parameter([CLASSES], 0);

  private parameter(shape: number[], fanIn: number): Variable {
    const scale = fanIn > 0 ? Math.sqrt(2 / fanIn) : 0;
    const values = Float32Array.from({ length: tf.util.sizeFromShape(shape) }, () => scale * this.rng.normal());
    const v = tf.variable(tf.tensor(values, shape));
    this.variables.push(v);
    return v;
  }

  private conv(cin: number, cout: number, kernel: number, stride: number, depthwise: boolean, act: Activation) {
    const w = this.parameter([kernel, kernel, cin, depthwise ? 1 : cout], kernel * kernel * (depthwise ? 1 : cin));
    const gamma = tf.variable(tf.ones([cout]));
    const beta = tf.variable(tf.zeros([cout]));
    this.variables.push(gamma, beta);
    const p = kernel >> 1;
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [p, p],
      [p, p],
      [0, 0],
    ];
    return (x: Tensor4D): Tensor4D => {
      const y = depthwise ? tf.depthwiseConv2d(x, w as Tensor4D, stride, pad) : tf.conv2d(x, w as Tensor4D, stride, pad);
      const normalised = batchNormTrain(y, gamma as Tensor1D, beta as Tensor1D, 1e-5).y;
      if (act === 'relu') return tf.relu(normalised);
      return act === 'hswish' ? hardSwish(normalised) : normalised;
    };
  }

  logits(x: Tensor4D): Tensor2D {
    const features = this.layers.reduce((h, layer) => layer(h), x);
    return tf.add(tf.matMul(tf.mean(features, [1, 2]) as Tensor2D, this.head), this.bias);
  }
}

test('a small conv net trained on wasm overfits one fixed batch of 32x32 images', async () => {
  await initWasmBackend();
  const rng = new Prng(7);
  const images = tf.tensor4d(Float32Array.from({ length: BATCH * 32 * 32 * 3 }, () => rng.normal()), [BATCH, 32, 32, 3]);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: BATCH }, (_, i) => i % CLASSES), 'int32'), CLASSES);
  const net = new TinyNet();
  const optimizer = tf.train.adam(0.01);
  const losses: number[] = [];
  while (losses.length < MAX_STEPS && (losses.at(-1) ?? Infinity) >= TARGET_LOSS) {
    const value = optimizer.minimize(() => tf.losses.softmaxCrossEntropy<Tensor, tf.Scalar>(labels, net.logits(images)), true, net.variables);
    losses.push((value as Tensor).dataSync()[0]);
    value?.dispose();
  }
  const [first, loss] = [losses[0], losses.at(-1) as number];
  // Random labels on noise: an untrained net must start near ln(10), so reaching the target means learning.
  assert.ok(first > 1.5, `initial cross-entropy ${first.toFixed(3)}`);
  assert.ok(loss < TARGET_LOSS, `cross-entropy still ${loss.toFixed(4)} after ${losses.length} steps`);
  tf.dispose([images, labels, ...net.variables]);
  optimizer.dispose();
});
