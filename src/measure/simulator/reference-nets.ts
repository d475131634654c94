import { planArena } from '../../graph/arena.ts';
import type { Buffer } from '../../graph/arena.ts';
import type { CostInput, CostOperator } from './cost-model.ts';

/**
 * Operator-level reconstructions of the public networks behind the calibration points, from their published
 * architectures (int8, NHWC, batch 1): the four MLPerf Tiny reference models, TFLM's person-detection model,
 * and single ESP-NN kernels. Their conv/depthwise/FC MACs equal the counts in the points file (MLPerf Tiny
 * README table, computed from the reference .tflite files). Fused activations are not separate operators, as
 * in the converted models. The arena is planned over a straight chain with residual inputs kept alive.
 */

interface Layer {
  op: string;
  /** Input and output shape [h, w, c] (FC: [1, 1, n]). */
  inp: number[];
  out: number[];
  macs: number;
  params: number;
  /** Index of an earlier layer whose output this one also reads (ADD's second input). */
  also?: number;
}

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

class Builder {
  readonly layers: Layer[] = [];
  shape: number[];
  constructor(input: number[]) {
    this.shape = input;
  }
  private push(op: string, out: number[], macs: number, params: number, also?: number): number {
    this.layers.push({ op, inp: this.shape, out, macs, params, also });
    this.shape = out;
    return this.layers.length - 1;
  }
  /** 'same' padding: output = ceil(input / stride). */
  conv(kh: number, kw: number, cout: number, stride: number): number {
    const [h, w, cin] = this.shape;
    const out = [Math.ceil(h / stride), Math.ceil(w / stride), cout];
    return this.push('CONV_2D', out, numel(out) * kh * kw * cin, kh * kw * cin * cout + cout);
  }
  dw(k: number, stride: number): number {
    const [h, w, c] = this.shape;
    const out = [Math.ceil(h / stride), Math.ceil(w / stride), c];
    return this.push('DEPTHWISE_CONV_2D', out, numel(out) * k * k, k * k * c + c);
  }
  fc(n: number): number {
    const k = numel(this.shape);
    this.shape = [1, 1, k];
    return this.push('FULLY_CONNECTED', [1, 1, n], k * n, k * n + n);
  }
  add(other: number): number {
    return this.push('ADD', this.shape, 0, 0, other);
  }
  avgPool(): number {
    const [h, w, c] = this.shape;
    return this.push('AVERAGE_POOL_2D', [1, 1, c], h * w * c, 0);
  }
  op(name: string): number {
    return this.push(name, this.shape, 0, 0);
  }
  from(layer: number): this {
    this.shape = this.layers[layer].out;
    return this;
  }

  build(input: number[]): CostInput {
    const operators: CostOperator[] = this.layers.map((l) => ({ op: l.op, inputShape: [1, ...l.inp], outputShape: [1, ...l.out], type: 'int8', macs: l.macs, params: l.params }));
    // Lifetimes: layer k's output lives until its last reader (the next layer, or a later ADD).
    const lastUse = this.layers.map((_, k) => Math.min(k + 1, this.layers.length - 1));
    this.layers.forEach((l, k) => {
      if (l.also !== undefined) lastUse[l.also] = Math.max(lastUse[l.also], k);
    });
    // A residual source is also read by the branch's first layer; ResNet's projection shortcut reads it later.
    const buffers: Buffer[] = [{ size: numel(input), firstUse: 0, lastUse: 0 }, ...this.layers.map((l, k) => ({ size: numel(l.out), firstUse: k, lastUse: lastUse[k] }))];
    return {
      operators,
      totals: {
        arenaBytes: planArena(buffers).peak,
        fileBytes: operators.reduce((s, o) => s + o.params, 0) + 2000 + 200 * operators.length,
        activationTensors: buffers.length,
      },
    };
  }
}

/** MLPerf Tiny IC: ResNet-8 on 32x32x3 CIFAR-10 (12,501,632 MACs). */
export function resnet8(): CostInput {
  const b = new Builder([32, 32, 3]);
  let x = b.conv(3, 3, 16, 1);
  for (const [c, s] of [[16, 1], [32, 2], [64, 2]]) {
    b.from(x).conv(3, 3, c, s);
    const y = b.conv(3, 3, c, 1);
    const shortcut = s === 1 ? x : b.from(x).conv(1, 1, c, s);
    x = b.from(y).add(shortcut);
  }
  b.avgPool();
  b.op('RESHAPE');
  b.fc(10);
  b.op('SOFTMAX');
  return b.build([32, 32, 3]);
}

/** MLPerf Tiny KWS: DS-CNN on 49x10 MFCC (2,656,768 MACs). */
export function dsCnn(): CostInput {
  const b = new Builder([49, 10, 1]);
  b.conv(10, 4, 64, 2);
  for (let i = 0; i < 4; i++) {
    b.dw(3, 1);
    b.conv(1, 1, 64, 1);
  }
  b.avgPool();
  b.op('RESHAPE');
  b.fc(12);
  b.op('SOFTMAX');
  return b.build([49, 10, 1]);
}

/** MobileNetV1 0.25 at 96x96 (MLPerf Tiny VWW, 7,489,664 MACs; TFLM person detection with 1 input channel). */
export function mobilenetV1Quarter(channels = 3): CostInput {
  const b = new Builder([96, 96, channels]);
  b.conv(3, 3, 8, 2);
  const blocks: [number, number][] = [[16, 1], [32, 2], [32, 1], [64, 2], [64, 1], [128, 2], [128, 1], [128, 1], [128, 1], [128, 1], [128, 1], [256, 2], [256, 1]];
  for (const [c, s] of blocks) {
    b.dw(3, s);
    b.conv(1, 1, c, 1);
  }
  b.avgPool();
  b.op('RESHAPE');
  b.fc(2);
  b.op('SOFTMAX');
  return b.build([96, 96, channels]);
}

/** MLPerf Tiny AD: the dense autoencoder on 640 features (264,192 MACs). */
export function fcAutoencoder(): CostInput {
  const b = new Builder([1, 1, 640]);
  for (const n of [128, 128, 128, 128, 8, 128, 128, 128, 128, 640]) b.fc(n);
  return b.build([1, 1, 640]);
}

/** One kernel on its own (the ESP-NN per-kernel figures): a conv or depthwise on an h x w x cin input. */
export function singleKernel(kind: 'conv' | 'depthwise', h: number, w: number, cin: number, cout: number, k: number): CostInput {
  const b = new Builder([h, w, cin]);
  if (kind === 'conv') b.conv(k, k, cout, 1);
  else b.dw(k, 1);
  return b.build([h, w, cin]);
}
