import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { Tensor2D, Tensor4D } from '@tensorflow/tfjs';
import { GraphBuilder } from '../../src/graph/builder.ts';
import { networkCost, sumCost } from '../../src/graph/cost.ts';
import type { NetGraph, Padding } from '../../src/graph/types.ts';
import { initWasmBackend } from '../../src/nn/backend/wasm-setup.ts';
import { forward } from '../../src/nn/model/forward.ts';
import { disposeParams, initParams } from '../../src/nn/model/params.ts';
import type { ConvParams, NetParams } from '../../src/nn/model/params.ts';
import { loadSpace } from '../../src/space/load-space.ts';
import { realise } from '../../src/space/realise.ts';
import { sampleConfigs } from '../../src/space/sample.ts';
import { Prng } from '../../src/util/prng.ts';

const SMALLEST = { ks: Array<number>(10).fill(3), e: Array<number>(10).fill(3), d: [2, 2, 2, 2, 2] };
const LARGEST = { ks: Array<number>(20).fill(7), e: Array<number>(20).fill(6), d: [4, 4, 4, 4, 4] };

function small(space: string, extra: object = {}): NetGraph {
  return realise(loadSpace(space, { widthMult: 0.35 }), { ...SMALLEST, ...extra }, { resolution: 32, classes: 10 });
}

function images(n: number, size: number, channels: number, seed: number): Tensor4D {
  const rng = new Prng(seed);
  return tf.tensor4d(Float32Array.from({ length: n * size * size * channels }, () => rng.normal()), [n, size, size, channels]);
}

/** Logits of every exit as plain arrays, everything freed. */
function run(graph: NetGraph, params: NetParams, x: Tensor4D, training = false): { shapes: number[][]; values: Float32Array[] } {
  const logits = forward(graph, params, x, { training });
  const result = { shapes: logits.map((l) => l.shape), values: logits.map((l) => l.dataSync() as Float32Array) };
  tf.dispose(logits);
  return result;
}

/** One conv whose output, flattened, is the network's only exit. */
function singleConv(size: number, channels: number, kernel: number, stride: number, depthwise: boolean, padding: Padding, batchNorm = false): NetGraph {
  const g = new GraphBuilder(size, 1, channels);
  const y = g.conv(g.input, { name: 'conv', cout: depthwise ? channels : 5, kernel, stride, depthwise, padding, batchNorm });
  const output = g.flatten(y, 'flatten');
  g.exits.push({ afterStage: 0, afterBlock: 0, pool: 1, output, final: true });
  return g.build();
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

describe('forward', () => {
  before(() => initWasmBackend());

  test('a realised single-exit net gives [n, classes] logits', () => {
    const graph = small('mobilenetv3');
    const params = initParams(graph, 1);
    const x = images(3, 32, 3, 1);
    const { shapes, values } = run(graph, params, x);
    assert.deepEqual(shapes, [[3, 10]]);
    assert.ok(values[0].every(Number.isFinite));
    tf.dispose(x);
    disposeParams(params);
  });

  test('early-exit graphs give one logits tensor per exit, in exit order', () => {
    const ee = small('eemobilenetv3', { t: [0.1, 0.2, 1, 0.1] });
    const cbn = small('cbnmobilenetv3', { b: [1, 0, 1, 0] });
    const x = images(2, 32, 3, 2);
    for (const [graph, widths] of [
      [ee, [10, 10, 10, 10]],
      [cbn, [11, 11, 10]],
    ] as const) {
      const params = initParams(graph, 2);
      assert.deepEqual(run(graph, params, x, true).shapes, widths.map((w) => [2, w]));
      disposeParams(params);
    }
    tf.dispose(x);
  });

  for (const depthwise of [false, true]) {
    test(`${depthwise ? 'a depthwise' : 'a regular'} conv with asymmetric padding equals tf.pad then a valid conv`, () => {
      const padding = { top: 0, bottom: 2, left: 1, right: 0 };
      const graph = singleConv(9, 4, 3, 2, depthwise, padding);
      const params = initParams(graph, 3);
      const x = images(2, 9, 4, 3);
      const kernel = (params.layers.get('conv') as ConvParams).kernel;
      const expected = tf.tidy(() => {
        const padded = tf.pad(x, [
          [0, 0],
          [0, 2],
          [1, 0],
          [0, 0],
        ]);
        const y = depthwise ? tf.depthwiseConv2d(padded, kernel, 2, 'valid') : tf.conv2d(padded, kernel, 2, 'valid');
        assert.deepEqual(y.shape.slice(1), graph.tensors[graph.layers[0].output]);
        return y.dataSync() as Float32Array;
      });
      assert.ok(maxAbsDiff(run(graph, params, x).values[0], expected) < 1e-5);
      tf.dispose(x);
      disposeParams(params);
    });
  }

  test('inference-mode batch norm with fresh statistics scales the conv by 1/sqrt(1 + eps)', () => {
    const graph = singleConv(6, 3, 3, 1, false, { top: 1, bottom: 1, left: 1, right: 1 }, true);
    const params = initParams(graph, 4);
    const x = images(2, 6, 3, 4);
    const kernel = (params.layers.get('conv') as ConvParams).kernel;
    const expected = tf.tidy(() => tf.div(tf.conv2d(x, kernel, 1, 'same'), Math.sqrt(1 + 1e-5)).dataSync() as Float32Array);
    assert.ok(maxAbsDiff(run(graph, params, x).values[0], expected) < 1e-5);
    tf.dispose(x);
    disposeParams(params);
  });

  test('wasm and the cpu backend agree on a realised net in both modes', async () => {
    const graph = small('mobilenetv3', { ks: [3, 5, 7, 3, 5, 7, 3, 5, 7, 3] });
    const results: Float32Array[][] = [];
    for (const backend of ['cpu', 'wasm']) {
      if (backend === 'cpu') await tf.setBackend('cpu');
      else await initWasmBackend();
      const params = initParams(graph, 5);
      const x = images(4, 32, 3, 5);
      results.push([run(graph, params, x, true).values[0], run(graph, params, x, false).values[0]]);
      tf.dispose(x);
      disposeParams(params);
    }
    for (const mode of [0, 1]) assert.ok(maxAbsDiff(results[0][mode], results[1][mode]) < 1e-3);
  });

  test('forward frees everything but the logits', () => {
    const graph = small('eemobilenetv3', { t: [0.1, 1, 1, 0.2] });
    const params = initParams(graph, 6);
    const x = images(2, 32, 3, 6);
    const count = tf.memory().numTensors;
    for (const training of [true, false]) tf.dispose(forward(graph, params, x, { training }) as Tensor2D[]);
    assert.equal(tf.memory().numTensors, count);
    tf.dispose(x);
    disposeParams(params);
  });
});

describe('initParams', () => {
  test('trainable parameter count equals the cost model for networks without exits', () => {
    const space = loadSpace('mobilenetv3', { widthMult: 0.35 });
    for (const config of [SMALLEST, LARGEST, ...sampleConfigs(space, 3, 11)]) {
      const graph = realise(space, config, { resolution: 32, classes: 10 });
      const params = initParams(graph, 0);
      const trainable = params.tensors.filter((t) => t.trainable).reduce((sum, t) => sum + t.variable.size, 0);
      assert.equal(trainable, networkCost(graph).params);
      disposeParams(params);
    }
  });

  test('with exits, trainable parameters equal the per-layer cost summed over every layer', () => {
    const graph = small('eemobilenetv3', { t: [0.1, 0.2, 0.1, 0.1] });
    const params = initParams(graph, 0);
    const trainable = params.tensors.filter((t) => t.trainable).reduce((sum, t) => sum + t.variable.size, 0);
    assert.equal(trainable, sumCost(graph, () => true).params);
    disposeParams(params);
  });

  test('is seeded and initialises as OFA: he_fout normal kernels, BN 1/0, uniform linear, zero biases', () => {
    const graph = small('mobilenetv3');
    const [a, b, c] = [initParams(graph, 7), initParams(graph, 7), initParams(graph, 8)];
    const values = (params: NetParams, name: string) => params.tensors.find((t) => t.name === name)?.variable.dataSync() as Float32Array;
    const kernel = 'blocks.5.conv.inverted_bottleneck.weight';
    assert.deepEqual(values(a, kernel), values(b, kernel));
    assert.notDeepEqual(values(a, kernel), values(c, kernel));

    const expand = values(a, kernel);
    const cout = a.tensors.find((t) => t.name === kernel)?.shape[3] as number;
    const std = Math.sqrt(expand.reduce((s, v) => s + v * v, 0) / expand.length);
    assert.ok(Math.abs(std / Math.sqrt(2 / cout) - 1) < 0.1, `kernel std ${std}`);
    assert.ok(values(a, 'first_conv.bn.weight').every((v) => v === 1));
    assert.ok(values(a, 'first_conv.bn.running_var').every((v) => v === 1));
    assert.ok(values(a, 'first_conv.bn.bias').every((v) => v === 0));
    const classifier = values(a, 'classifier.weight');
    const head = graph.layers.find((l) => l.name === 'classifier');
    assert.ok(head?.kind === 'linear');
    const limit = 1 / Math.sqrt(head.cin);
    assert.ok(classifier.every((v) => Math.abs(v) <= limit) && classifier.some((v) => Math.abs(v) > limit / 2));
    assert.ok(values(a, 'classifier.bias').every((v) => v === 0));
    [a, b, c].forEach(disposeParams);
  });
});
