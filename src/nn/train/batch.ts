import * as tf from '@tensorflow/tfjs';
import type { Tensor1D, Tensor4D } from '@tensorflow/tfjs';
import type { NetGraph } from '../../graph/types.ts';

/** `n` normalised NHWC images (x.length = n * H * W * C, H = W = the network's resolution) and their class labels. */
export interface Batch {
  x: Float32Array;
  y: Uint8Array | Int32Array;
  n: number;
}

/** Checks a batch against the network's input and its label range, so a bad batch fails by name, not by shape. */
function checkBatch(graph: NetGraph, batch: Batch): void {
  const [h, w, c] = graph.tensors[graph.input];
  if (!Number.isInteger(batch.n) || batch.n < 1) throw new Error(`batch: n must be a positive integer, got ${batch.n}`);
  if (batch.x.length !== batch.n * h * w * c) {
    throw new Error(`batch: x has ${batch.x.length} values; ${batch.n} images of ${h}x${w}x${c} need ${batch.n * h * w * c}`);
  }
  if (batch.y.length !== batch.n) throw new Error(`batch: y has ${batch.y.length} labels for ${batch.n} images`);
  for (const label of batch.y) {
    if (!Number.isInteger(label) || label < 0 || label >= graph.classes) throw new Error(`batch: label ${label} is outside 0..${graph.classes - 1}`);
  }
}

/** The images and labels of a checked batch as tensors (labels int32). */
export function batchTensors(graph: NetGraph, batch: Batch): { images: Tensor4D; labels: Tensor1D } {
  checkBatch(graph, batch);
  const [h, w, c] = graph.tensors[graph.input];
  const labels = batch.y instanceof Int32Array ? batch.y : Int32Array.from(batch.y);
  return { images: tf.tensor4d(batch.x, [batch.n, h, w, c]), labels: tf.tensor1d(labels, 'int32') };
}
