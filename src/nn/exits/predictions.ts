import { concatTyped } from '../../util/concat-typed.ts';
import * as tf from '@tensorflow/tfjs';
import type { Tensor2D } from '@tensorflow/tfjs';
import type { NetGraph } from '../../graph/types.ts';
import { forward } from '../model/forward.ts';
import type { NetTensors } from '../model/params.ts';
import { batchTensors } from '../train/batch.ts';
import type { Batch } from '../train/batch.ts';
import { headKind } from './heads.ts';

/** What the exit rules, the threshold tuning and the stats need from a pass over a data set. */
export interface ExitPredictions {
  samples: number;
  labels: Int32Array;
  /** Per exit, per sample: 1 where the exit's top class (over the class logits) is the label. */
  correct: Uint8Array[];
  /** Per exit: softmax top-1 minus top-2 over the class logits. */
  margins: Float32Array[];
  /** Per exit: the top softmax probability over the class logits. */
  maxSoftmax: Float32Array[];
  /** Per exit: NACHOS's confidence b = sigmoid(confidence logit); 1 for the final exit and for heads without one. */
  confidences: Float32Array[];
}

/** The class logits of an exit (the confidence logit, where present, is the last column) and its confidence. */
export function splitExitLogits(logits: Tensor2D, classes: number, withConfidence: boolean): { classLogits: Tensor2D; confidence: tf.Tensor1D } {
  const n = logits.shape[0];
  if (!withConfidence) return { classLogits: logits, confidence: tf.ones([n]) };
  return {
    classLogits: tf.slice(logits, [0, 0], [n, classes]),
    confidence: tf.reshape(tf.sigmoid(tf.slice(logits, [0, classes], [n, 1])), [n]),
  };
}

/** Runs the network in inference mode over `batches` and keeps, per exit and sample, what the exit rules read. */
export function predictExits(graph: NetGraph, params: NetTensors, batches: Iterable<Batch>): ExitPredictions {
  const withConfidence = headKind(graph) === 'confidence';
  const exits = graph.exits.length;
  const parts = { correct: [] as Uint8Array[][], margins: [] as Float32Array[][], maxSoftmax: [] as Float32Array[][], confidences: [] as Float32Array[][] };
  for (const key of Object.values(parts)) for (let i = 0; i < exits; i++) key.push([]);
  const labels: Int32Array[] = [];
  for (const batch of batches) {
    // One [4 * exits, n] matrix per batch, read back in one transfer: correct, margin, max softmax, confidence.
    const rows = tf.tidy(() => {
      const { images, labels: y } = batchTensors(graph, batch);
      const logits = forward(graph, params, images, { training: false });
      return tf.concat(
        logits.map((l, i) => {
          const { classLogits, confidence } = splitExitLogits(l, graph.classes, withConfidence && i < exits - 1);
          const { values, indices } = tf.topk(tf.softmax(classLogits), 2);
          const [top1, top2] = tf.unstack(values, 1);
          const right = tf.cast(tf.equal(tf.reshape(tf.slice(indices, [0, 0], [batch.size, 1]), [batch.size]), y), 'float32');
          return tf.stack([right, tf.sub(top1, top2), top1, confidence]);
        }),
      ).dataSync() as Float32Array;
    });
    const n = batch.size;
    for (let i = 0; i < exits; i++) {
      const at = (k: number) => rows.subarray((4 * i + k) * n, (4 * i + k + 1) * n);
      parts.correct[i].push(Uint8Array.from(at(0)));
      parts.margins[i].push(at(1).slice());
      parts.maxSoftmax[i].push(at(2).slice());
      parts.confidences[i].push(at(3).slice());
    }
    labels.push(Int32Array.from(batch.labels));
  }
  const all = concatTyped(labels, Int32Array);
  if (all.length === 0) throw new Error('predictExits: no batches');
  return {
    samples: all.length,
    labels: all,
    correct: parts.correct.map((p) => concatTyped(p, Uint8Array)),
    margins: parts.margins.map((p) => concatTyped(p, Float32Array)),
    maxSoftmax: parts.maxSoftmax.map((p) => concatTyped(p, Float32Array)),
    confidences: parts.confidences.map((p) => concatTyped(p, Float32Array)),
  };
}
