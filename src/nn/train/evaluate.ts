import { concatTyped } from '../../util/concat-typed.ts';
import * as tf from '@tensorflow/tfjs';
import type { NetGraph } from '../../graph/types.ts';
import { forward } from '../model/forward.ts';
import type { NetParams } from '../model/params.ts';
import { batchTensors } from './batch.ts';
import type { Batch } from './batch.ts';

export interface ExitEvaluation {
  /** Top-1 accuracy in [0, 1]. */
  accuracy: number;
  /** Mean softmax cross-entropy (no label smoothing). */
  loss: number;
  /** With `keepSoftmax`: the softmax outputs, samples x outputs row-major, in batch order. */
  softmax?: Float32Array;
}

export interface Evaluation {
  samples: number;
  /** In `graph.exits` order. */
  exits: ExitEvaluation[];
  /** With `keepSoftmax`: the labels in batch order, to pair with the softmax rows. */
  labels?: Int32Array;
}

export interface EvaluateOptions {
  /** Keep every sample's softmax output per exit, for early-exit rules; default false. */
  keepSoftmax?: boolean;
}

/** Runs the network in inference mode (moving batch-norm statistics) over `batches` and scores every exit. */
export function evaluate(graph: NetGraph, params: NetParams, batches: Iterable<Batch>, options: EvaluateOptions = {}): Evaluation {
  const exits = graph.exits.length;
  const lossSums = new Float64Array(exits);
  const correct = new Float64Array(exits);
  const softmax: Float32Array[][] = graph.exits.map(() => []);
  const labels: Int32Array[] = [];
  let samples = 0;
  for (const batch of batches) {
    const { sums, probabilities } = tf.tidy(() => {
      const { images, labels: y } = batchTensors(graph, batch);
      const logits = forward(graph, params, images, { training: false });
      // [loss sum, correct count] per exit, read back in one transfer.
      const perExit = logits.map((l) =>
        tf.stack([
          tf.losses.softmaxCrossEntropy(tf.oneHot(y, l.shape[1]), l, undefined, 0, tf.Reduction.SUM),
          tf.sum(tf.cast(tf.equal(tf.argMax(l, 1), y), 'float32')),
        ]),
      );
      return {
        sums: tf.stack(perExit).dataSync(),
        probabilities: options.keepSoftmax ? logits.map((l) => tf.softmax(l).dataSync() as Float32Array) : [],
      };
    });
    for (let e = 0; e < exits; e++) {
      lossSums[e] += sums[2 * e];
      correct[e] += sums[2 * e + 1];
    }
    probabilities.forEach((p, e) => softmax[e].push(p));
    if (options.keepSoftmax) labels.push(Int32Array.from(batch.labels));
    samples += batch.size;
  }
  if (samples === 0) throw new Error('evaluate: no batches');
  const result: Evaluation = {
    samples,
    exits: graph.exits.map((_, e) => {
      const exit: ExitEvaluation = { accuracy: correct[e] / samples, loss: lossSums[e] / samples };
      if (options.keepSoftmax) exit.softmax = concatTyped(softmax[e], Float32Array);
      return exit;
    }),
  };
  if (options.keepSoftmax) result.labels = concatTyped(labels, Int32Array);
  return result;
}

