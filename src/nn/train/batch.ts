import * as tf from '@tensorflow/tfjs';
import type { Tensor1D, Tensor4D } from '@tensorflow/tfjs';
import type { NetGraph } from '../../graph/types.ts';

/**
 * `size` normalised NHWC images (images.length = size * H * W * C, H = W = the network's resolution) and their
 * class labels; the data module's batches are of this shape.
 */
export interface Batch {
  images: Float32Array;
  labels: Uint8Array | Int32Array;
  size: number;
}

/** Checks a batch against an input shape and a label range, so a bad batch fails by name, not by shape. */
function checkBatch(shape: readonly [number, number, number], classes: number, batch: Batch): void {
  const [h, w, c] = shape;
  if (!Number.isInteger(batch.size) || batch.size < 1) throw new Error(`batch: size must be a positive integer, got ${batch.size}`);
  if (batch.images.length !== batch.size * h * w * c) {
    throw new Error(`batch: images has ${batch.images.length} values; ${batch.size} images of ${h}x${w}x${c} need ${batch.size * h * w * c}`);
  }
  if (batch.labels.length !== batch.size) throw new Error(`batch: labels has ${batch.labels.length} labels for ${batch.size} images`);
  for (const label of batch.labels) {
    if (!Number.isInteger(label) || label < 0 || label >= classes) throw new Error(`batch: label ${label} is outside 0..${classes - 1}`);
  }
}

/** The images and labels of a checked batch as tensors (labels int32), for a network's input. */
export function batchTensors(graph: NetGraph, batch: Batch): { images: Tensor4D; labels: Tensor1D } {
  return batchTensorsOfShape(graph.tensors[graph.input], graph.classes, batch);
}

/** The same for images of a given shape (e.g. at their native size, before resizing). */
export function batchTensorsOfShape(shape: readonly [number, number, number], classes: number, batch: Batch): { images: Tensor4D; labels: Tensor1D } {
  checkBatch(shape, classes, batch);
  const [h, w, c] = shape;
  const labels = batch.labels instanceof Int32Array ? batch.labels : Int32Array.from(batch.labels);
  return { images: tf.tensor4d(batch.images, [batch.size, h, w, c]), labels: tf.tensor1d(labels, 'int32') };
}
