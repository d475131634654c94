import * as tf from '@tensorflow/tfjs';
import type { Scalar } from '@tensorflow/tfjs';
import { Prng } from '../util/prng.ts';
import { benchNet } from './bench-nets.ts';
import type { BenchNet } from './bench-nets.ts';
import { forward } from './model/forward.ts';
import { disposeParams, initParams } from './model/params.ts';
import { Sgd } from './train/sgd.ts';

export interface TrainThroughput {
  backend: string;
  net: BenchNet;
  batch: number;
  train_img_s: number;
  infer_b1_img_s: number;
  infer_b64_img_s: number;
}

export interface BenchTrainOptions {
  net: BenchNet;
  batch: number;
  /** Timed training steps after 2 warm-up steps (the median is reported). */
  steps?: number;
  /** Timed batch-1 inferences (batch-64 inferences: a fifth of it). */
  inferRuns?: number;
}

function medianSeconds(runs: number, fn: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/**
 * Images per second of a training step (softmax cross-entropy, backward, SGD with momentum) and of inference
 * at batch 1 and 64 on the current TF.js backend, on random data: what a search will cost on this machine.
 */
export function benchTrain(o: BenchTrainOptions): TrainThroughput {
  const graph = benchNet(o.net);
  const params = initParams(graph, 0);
  const optimiser = new Sgd(params.tensors, { weightDecay: 0 });
  const rng = new Prng(1);
  const [h, w, c] = graph.tensors[graph.input];
  const images = tf.tensor4d(Float32Array.from({ length: o.batch * h * w * c }, () => rng.normal()), [o.batch, h, w, c]);
  const labels = tf.oneHot(tf.tensor1d(Int32Array.from({ length: o.batch }, () => rng.int(graph.classes)), 'int32'), graph.classes);
  const single = tf.slice(images, [0, 0, 0, 0], [1, h, w, c]);
  const step = (): void => {
    const { value, grads } = tf.variableGrads(() => {
      const logits = forward(graph, params, images, { training: true });
      return tf.losses.softmaxCrossEntropy(labels, logits[logits.length - 1]) as Scalar;
    }, optimiser.variables);
    optimiser.step(grads, 0.01);
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
  const infer = (x: tf.Tensor4D) => (): void => {
    tf.tidy(() => forward(graph, params, x, { training: false }).at(-1)!.dataSync());
  };
  try {
    for (let i = 0; i < 2; i++) step();
    const train = medianSeconds(o.steps ?? 10, step);
    for (let i = 0; i < 5; i++) infer(single)();
    const b1 = medianSeconds(o.inferRuns ?? 50, infer(single));
    const b64 = medianSeconds(Math.max(3, Math.floor((o.inferRuns ?? 50) / 5)), infer(images));
    return { backend: tf.getBackend(), net: o.net, batch: o.batch, train_img_s: o.batch / train, infer_b1_img_s: 1 / b1, infer_b64_img_s: o.batch / b64 };
  } finally {
    tf.dispose([images, labels, single]);
    optimiser.dispose();
    disposeParams(params);
  }
}
