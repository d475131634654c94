/**
 * Times training steps of a MobileNetV3-like network (OFA MobileNetV3 layer types at 32 px input, without
 * squeeze-excite) on the wasm backend, printing images per second for two set-ups:
 *   composed:  stock wasm plus only the three composed gradient kernels, with tfjs's own batch norm gradient;
 *   optimised: plus the speed overrides and the closed-form batchNormTrain.
 * Usage: tsx bench/train-kernels.ts [--batch 64] [--steps 10] [--profile]
 * Rates come from the median step time, which shrugs off other processes on a shared machine better than
 * the mean. --profile then lists the slowest kernels of an optimised step, averaged over --steps steps.
 */
import * as tf from '@tensorflow/tfjs';
import type { Tensor, Tensor1D, Tensor2D, Tensor4D, Variable } from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { batchNormTrain } from '../src/nn/backend/batch-norm.ts';
import { initWasmBackend } from '../src/nn/backend/wasm-setup.ts';

type Activation = 'relu' | 'hswish' | 'none';
type BatchNorm = (x: Tensor4D, gamma: Tensor1D, beta: Tensor1D) => Tensor4D;

const EPS = 1e-5;
const CLASSES = 10;

const closedFormBatchNorm: BatchNorm = (x, gamma, beta) => batchNormTrain(x, gamma, beta, EPS).y;
const stockBatchNorm: BatchNorm = (x, gamma, beta) => {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm<tf.Rank.R4>(x, mean as Tensor1D, variance as Tensor1D, beta, gamma, EPS);
};

function activate(x: Tensor4D, act: Activation): Tensor4D {
  if (act === 'relu') return tf.relu(x);
  if (act === 'hswish') return tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6));
  return x;
}

class Network {
  readonly variables: Variable[] = [];
  private readonly layers: ((x: Tensor4D, bn: BatchNorm) => Tensor4D)[] = [];
  private seed = 1;
  private channels = 3;

  constructor() {
    this.conv(16, 3, 2, 'hswish');
    this.block(16, 3, 1, 1, 'relu');
    const stages: [number, number, Activation, [number, number][]][] = [
      [24, 2, 'relu', [[3, 4], [3, 3]]],
      [40, 2, 'relu', [[5, 3], [5, 3]]],
      [80, 2, 'hswish', [[3, 6], [3, 4]]],
      [112, 1, 'hswish', [[5, 6], [5, 4]]],
      [160, 2, 'hswish', [[7, 6], [7, 6]]],
    ];
    for (const [width, stride, act, blocks] of stages) {
      blocks.forEach(([kernel, expand], i) => this.block(width, kernel, i === 0 ? stride : 1, expand, act));
    }
    this.conv(960, 1, 1, 'hswish');
    this.conv(1280, 1, 1, 'hswish', false);
  }

  private weight(shape: number[], fanIn: number): Variable {
    const v = tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', this.seed++));
    this.variables.push(v);
    return v;
  }

  private normalisation(channels: number): [Variable, Variable] {
    const gamma = tf.variable(tf.ones([channels]));
    const beta = tf.variable(tf.zeros([channels]));
    this.variables.push(gamma, beta);
    return [gamma, beta];
  }

  private conv(out: number, kernel: number, stride: number, act: Activation, batchNorm = true): void {
    this.layers.push(this.convLayer(this.channels, out, kernel, stride, false, act, batchNorm));
    this.channels = out;
  }

  private convLayer(cin: number, out: number, kernel: number, stride: number, depthwise: boolean, act: Activation, batchNorm = true) {
    const w = this.weight([kernel, kernel, cin, depthwise ? 1 : out], kernel * kernel * (depthwise ? 1 : cin));
    const [gamma, beta] = batchNorm ? this.normalisation(out) : [undefined, undefined];
    const p = kernel >> 1;
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [p, p], [p, p], [0, 0]];
    return (x: Tensor4D, bn: BatchNorm): Tensor4D => {
      const y = depthwise ? tf.depthwiseConv2d(x, w as Tensor4D, stride, pad) : tf.conv2d(x, w as Tensor4D, stride, pad);
      return activate(gamma && beta ? bn(y, gamma as Tensor1D, beta as Tensor1D) : y, act);
    };
  }

  /** Inverted residual: expand 1x1, depthwise k x k, project 1x1, skip when shapes allow. */
  private block(out: number, kernel: number, stride: number, expand: number, act: Activation): void {
    const cin = this.channels;
    const mid = cin * expand;
    const parts = [
      ...(expand === 1 ? [] : [this.convLayer(cin, mid, 1, 1, false, act)]),
      this.convLayer(mid, mid, kernel, stride, true, act),
      this.convLayer(mid, out, 1, 1, false, 'none'),
    ];
    const residual = stride === 1 && cin === out;
    this.layers.push((x, bn) => {
      const y = parts.reduce((h, layer) => layer(h, bn), x);
      return residual ? tf.add(x, y) : y;
    });
    this.channels = out;
  }

  logits(x: Tensor4D, bn: BatchNorm, head: Tensor2D): Tensor2D {
    const features = this.layers.reduce((h, layer) => layer(h, bn), x);
    return tf.matMul(tf.mean(features, [1, 2]) as Tensor2D, head);
  }
}

function timeTraining(label: string, bn: BatchNorm, batch: number, steps: number): number {
  const net = new Network();
  const head = tf.variable(tf.randomNormal<tf.Rank.R2>([1280, CLASSES], 0, 0.01, 'float32', 99));
  const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 7) as Tensor4D;
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % CLASSES), 'int32'), CLASSES);
  const optimizer = tf.train.momentum(0.01, 0.9);
  const step = () => {
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy<Tensor, tf.Scalar>(labels, net.logits(x, bn, head)), true, [...net.variables, head]);
    loss?.dataSync();
    loss?.dispose();
  };
  step();
  step();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    step();
    times.push(performance.now() - start);
  }
  const median = times.sort((a, b) => a - b)[steps >> 1];
  const rate = (batch * 1000) / median;
  console.log(`${label.padEnd(10)} ${median.toFixed(0).padStart(6)} ms/step ${rate.toFixed(1).padStart(8)} img/s`);
  tf.dispose([...net.variables, head, x, labels]);
  optimizer.dispose();
  return rate;
}

/** Mean time per kernel and input shapes over `steps` gradient computations; nested kernels count in their caller too. */
async function profileSteps(batch: number, steps: number): Promise<void> {
  const net = new Network();
  const head = tf.variable(tf.randomNormal<tf.Rank.R2>([1280, CLASSES], 0, 0.01, 'float32', 99));
  const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 7) as Tensor4D;
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % CLASSES), 'int32'), CLASSES);
  const grads = () => tf.variableGrads(() => tf.losses.softmaxCrossEntropy<Tensor, tf.Scalar>(labels, net.logits(x, closedFormBatchNorm, head)));
  tf.dispose(grads().grads);
  const byKernel = new Map<string, number>();
  for (let i = 0; i < steps; i++) {
    const info = await tf.profile(() => tf.dispose(grads().grads));
    for (const k of info.kernels) {
      const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
      byKernel.set(key, (byKernel.get(key) ?? 0) + Number(k.kernelTimeMs) / steps);
    }
  }
  console.log('slowest kernels per step:');
  for (const [key, ms] of [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`  ${ms.toFixed(1).padStart(7)} ms  ${key}`);
}

const { values } = parseArgs({ options: { batch: { type: 'string', default: '64' }, steps: { type: 'string', default: '10' }, profile: { type: 'boolean', default: false } } });
const batch = Number(values.batch);
const steps = Number(values.steps);
await initWasmBackend({ speedOverrides: false });
const composed = timeTraining('composed', stockBatchNorm, batch, steps);
await initWasmBackend();
const optimised = timeTraining('optimised', closedFormBatchNorm, batch, steps);
console.log(`speed-up ${(optimised / composed).toFixed(2)}x (wasm, batch ${batch}, 32 px)`);
if (values.profile) await profileSteps(batch, steps);
