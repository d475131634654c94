import * as tf from '@tensorflow/tfjs';
import type { Scalar, Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs';
import type { NetGraph } from '../../graph/types.ts';
import { forward } from '../model/forward.ts';
import type { NetParams } from '../model/params.ts';
import { batchTensors } from './batch.ts';
import type { Batch } from './batch.ts';
import type { Sgd } from './sgd.ts';

export interface BatchReport {
  /** 0-based batch index within the epoch. */
  index: number;
  /** Training objective of this batch (mean over its images). */
  loss: number;
  n: number;
}

export interface TrainEpochOptions {
  /** Holds the momentum buffers, so one optimiser serves every epoch of a run. */
  optimiser: Sgd;
  /** Learning rate for the whole epoch (see `cosineLearningRate`). */
  lr: number;
  /** Label smoothing as in PyTorch's cross entropy: target = onehot * (1 - s) + s / outputs; default 0. */
  labelSmoothing?: number;
  /** One weight per exit, in `graph.exits` order; the objective is the weighted sum of exit losses. Default: final exit only. */
  exitWeights?: readonly number[];
  /** Batch-norm momentum (PyTorch convention); default 0.1. */
  bnMomentum?: number;
  onBatch?: (report: BatchReport) => void;
}

function resolveExitWeights(graph: NetGraph, weights: readonly number[] | undefined): readonly number[] {
  const exits = graph.exits.length;
  if (weights === undefined) return graph.exits.map((_, i) => (i === exits - 1 ? 1 : 0));
  if (weights.length !== exits || weights.some((w) => !(w >= 0)) || !weights.some((w) => w > 0)) {
    throw new Error(`exitWeights must be ${exits} non-negative numbers, not all 0; got [${weights.join(', ')}]`);
  }
  return weights;
}

/** Weighted sum of the mean softmax cross-entropies of the exits with a non-zero weight. */
function objective(logits: Tensor2D[], labels: Tensor1D, weights: readonly number[], labelSmoothing: number): Scalar {
  const terms = logits.flatMap((exitLogits, i) => {
    if (weights[i] === 0) return [];
    const targets = tf.oneHot(labels, exitLogits.shape[1]);
    return [tf.mul(tf.losses.softmaxCrossEntropy(targets, exitLogits, undefined, labelSmoothing), weights[i])];
  });
  return tf.addN(terms) as Scalar;
}

/**
 * One pass of SGD over `batches` with batch norm in training mode. Returns the training objective averaged
 * over all images (each batch weighted by its size).
 */
export function trainEpoch(graph: NetGraph, params: NetParams, batches: Iterable<Batch>, options: TrainEpochOptions): number {
  const weights = resolveExitWeights(graph, options.exitWeights);
  const labelSmoothing = options.labelSmoothing ?? 0;
  const forwardOptions = { training: true, bnMomentum: options.bnMomentum ?? 0.1 };
  const variables = options.optimiser.variables;
  let total = 0;
  let images = 0;
  let index = 0;
  for (const batch of batches) {
    const { value, grads } = tf.variableGrads(() => {
      const { images: x, labels } = batchTensors(graph, batch);
      return objective(forward(graph, params, x, forwardOptions), labels, weights, labelSmoothing);
    }, variables);
    options.optimiser.step(grads, options.lr);
    const loss = value.dataSync()[0];
    tf.dispose([value as Tensor, ...Object.values(grads)]);
    total += loss * batch.size;
    images += batch.size;
    options.onBatch?.({ index, loss, n: batch.size });
    index++;
  }
  if (images === 0) throw new Error('trainEpoch: no batches');
  return total / images;
}
