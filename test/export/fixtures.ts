import * as tf from '@tensorflow/tfjs';
import type { LinearLayer, NetGraph } from '../../src/graph/types.ts';
import { forward } from '../../src/nn/model/forward.ts';
import { initParams, paramLayout } from '../../src/nn/model/params.ts';
import type { NetParams } from '../../src/nn/model/params.ts';
import { initWasmBackend } from '../../src/nn/backend/wasm-setup.ts';
import { weightsFromParams } from '../../src/export/weights.ts';
import { loadSpace } from '../../src/space/load-space.ts';
import { realise } from '../../src/space/realise.ts';
import { sampleConfigs } from '../../src/space/sample.ts';
import { Prng } from '../../src/util/prng.ts';

export interface TestNet {
  graph: NetGraph;
  params: NetParams;
  weights: Map<string, Float32Array>;
}

const CLASSES = 10;

/** `n` standard-normal NHWC images back to back. */
export function normalImages(n: number, resolution: number, seed: number): Float32Array {
  const rng = new Prng(seed);
  return Float32Array.from({ length: n * resolution * resolution * 3 }, () => rng.normal());
}

/**
 * Images with class structure: a mixture of 10 Gaussians, each a fixed random "class mean" image plus
 * noise of standard deviation 0.3. Still random normal images, but inputs of one class resemble each
 * other, as in real data.
 */
export function mixtureImages(n: number, resolution: number, seed: number): { images: Float32Array; labels: number[] } {
  const size = resolution * resolution * 3;
  const means = normalImages(CLASSES, resolution, 7);
  const rng = new Prng(seed);
  const images = new Float32Array(n * size);
  const labels = Array.from({ length: n }, () => rng.int(CLASSES));
  labels.forEach((c, i) => {
    for (let k = 0; k < size; k++) images[i * size + k] = means[c * size + k] + 0.3 * rng.normal();
  });
  return { images, labels };
}

/** A sampled config of a width-0.35 space, realised at `resolution` px with 10 classes. */
export function sampledGraph(space: string, seed: number, resolution: number): NetGraph {
  const s = loadSpace(space, { widthMult: 0.35 });
  const [config] = sampleConfigs(s, 1, seed);
  return realise(s, { ...config, r: resolution }, { classes: CLASSES });
}

function assign(v: tf.Variable, values: Float32Array): void {
  tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
}

/**
 * Parameters with the numbers of a trained network rather than of a fresh one: random batch-norm affine
 * terms and biases (folding identity statistics would test nothing), running statistics set to the batch
 * statistics of mixture images (one training-mode pass with momentum 1) so every layer works at unit
 * scale, and BN shifts around +1. The shifts matter for int8: with zero-mean shifts a randomly initialised
 * batch-normalised network is chaotic (a 1% input change moves the logits by ~6% here), so any rounding
 * scrambles its predictions; with most ReLU / h-swish units active it contracts perturbations as trained
 * networks do (1% moves the logits by ~0.5%).
 */
export async function trainedLikeNet(graph: NetGraph, seed: number): Promise<TestNet> {
  await initWasmBackend();
  const params = initParams(graph, seed);
  const rng = new Prng(seed + 1);
  const draw = (size: number, f: () => number) => Float32Array.from({ length: size }, f);
  for (const t of params.tensors) {
    const size = t.variable.size;
    if (t.role === 'bn.weight') assign(t.variable, draw(size, () => 0.5 + rng.next()));
    else if (t.role === 'bn.bias') assign(t.variable, draw(size, () => 1 + 0.2 * rng.normal()));
    else if (t.role.endsWith('bias')) assign(t.variable, draw(size, () => 0.2 * rng.normal()));
  }
  const batch = 32;
  const x = tf.tensor4d(mixtureImages(batch, graph.resolution, seed + 2).images, [batch, graph.resolution, graph.resolution, 3]);
  tf.dispose(forward(graph, params, x, { training: true, bnMomentum: 1 }));
  x.dispose();
  return { graph, params, weights: weightsFromParams(params) };
}

/**
 * Gives every exit classifier (a linear layer with one unit per class) the decision rule of a trained one:
 * nearest class mean of its input features, measured in TF.js on labelled mixture images. A random
 * classifier's top-1 margins on random features are tiny, so any rounding flips its predictions; a fitted
 * one has the margins of real classifiers.
 */
export function fitClassMeans(net: TestNet, images: Float32Array, labels: readonly number[]): void {
  const { graph } = net;
  // NACHOS heads have one more output, the confidence logit; it is left at zero.
  const heads = graph.layers.filter((l): l is LinearLayer => l.kind === 'linear' && (l.cout === CLASSES || l.cout === CLASSES + 1) && graph.exits.some((e) => e.output === l.output));
  // The same network with each classifier's input as an output: one batched forward pass gives the features.
  const features = forward(
    { ...graph, layers: graph.layers.filter((l) => !heads.includes(l as LinearLayer)), exits: heads.map((h) => ({ ...graph.exits[0], output: h.input })) },
    net.params,
    tf.tensor4d(images, [labels.length, graph.resolution, graph.resolution, 3]),
    { training: false },
  );
  heads.forEach((head, h) => {
    const f = features[h].arraySync();
    const depth = head.cin;
    const mean = (rows: number[][]) => Float64Array.from({ length: depth }, (_, k) => rows.reduce((s, r) => s + r[k], 0) / rows.length);
    const all = mean(f);
    const outputs = head.cout;
    const weight = new Float32Array(depth * outputs);
    const bias = new Float32Array(outputs);
    for (let c = 0; c < CLASSES; c++) {
      const centre = mean(f.filter((_, i) => labels[i] === c));
      // logit_c = w_c . (x - all) - |w_c|^2 / 2 with w_c = centre_c - all: largest for the nearest centre
      let norm = 0;
      for (let k = 0; k < depth; k++) {
        const w = centre[k] - all[k];
        weight[k * outputs + c] = w;
        bias[c] -= w * all[k];
        norm += w * w;
      }
      bias[c] -= norm / 2;
    }
    const p = net.params.layers.get(head.name);
    if (p?.kind !== 'linear' || p.bias === undefined) throw new Error(`exit classifier ${head.name} without a bias`);
    assign(p.weight, weight);
    assign(p.bias, bias);
  });
  tf.dispose(features);
  net.weights = weightsFromParams(net.params);
}

/** A trained-like net whose classifiers are fitted on mixture images. */
export async function fittedNet(graph: NetGraph, seed: number): Promise<TestNet> {
  const net = await trainedLikeNet(graph, seed);
  const probe = mixtureImages(100, graph.resolution, seed + 3);
  fitClassMeans(net, probe.images, probe.labels);
  return net;
}

/**
 * Plausible weights without TF.js: every tensor of `paramLayout` drawn from the seed (conv kernels and
 * biases normal, BN scales and variances positive), for tests that only need a well-formed model.
 */
export function randomWeights(graph: NetGraph, seed: number): Map<string, Float32Array> {
  const rng = new Prng(seed);
  return new Map(
    paramLayout(graph).map((s) => {
      const size = s.shape.reduce((a, b) => a * b, 1);
      const positive = s.role === 'bn.running_var' || s.role === 'bn.weight';
      return [s.name, Float32Array.from({ length: size }, () => (positive ? 0.5 + rng.next() : 0.3 * rng.normal()))];
    }),
  );
}
