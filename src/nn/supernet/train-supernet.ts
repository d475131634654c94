import * as tf from '@tensorflow/tfjs';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs';
import type { SubnetConfig } from '../../space/config.ts';
import { realise } from '../../space/realise.ts';
import { sampleConfig } from '../../space/sample.ts';
import type { Prng } from '../../util/prng.ts';
import { forward } from '../model/forward.ts';
import { batchTensorsOfShape } from '../train/batch.ts';
import type { Batch } from '../train/batch.ts';
import type { Sgd } from '../train/sgd.ts';
import { backboneSpace, largestConfig, smallestConfig } from './layout.ts';
import { subnetTensors } from './subnet-tensors.ts';
import type { Supernet } from './supernet.ts';

export interface SupernetStepOptions {
  optimiser: Sgd;
  lr: number;
  /** Random subnets per step besides the largest and the smallest (the sandwich rule); default 2. */
  randomSubnets?: number;
  rng: Prng;
}

/** Identity forward, zero gradient: the teacher's soft labels must not train the teacher. */
const stopGradient = tf.customGrad((...args: (Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as Tensor;
  return { value: x.clone(), gradFunc: (dy: Tensor) => tf.zerosLike(dy) };
}) as (x: Tensor2D) => Tensor2D;

/** Cross-entropy of logits against soft targets (in-place distillation), averaged over the batch. */
function softCrossEntropy(logits: Tensor2D, targets: Tensor2D): Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1))) as Scalar;
}

/**
 * One sandwich-rule step (as in BigNAS and OFA's later training): the largest subnet learns from the labels,
 * the smallest and `randomSubnets` random ones from the largest's predictions, and the summed gradient updates
 * the shared weights once. Batch norm uses batch statistics; subnets recalibrate their own when materialised.
 */
export function supernetStep(sn: Supernet, batch: Batch, options: SupernetStepOptions): number {
  const space = backboneSpace(sn.space);
  const configs: SubnetConfig[] = [largestConfig(space), smallestConfig(space)];
  for (let i = 0; i < (options.randomSubnets ?? 2); i++) configs.push(sampleConfig(space, options.rng));
  const native = Math.round(Math.sqrt(batch.images.length / batch.size / 3));
  // Elastic resolution, as OFA: one resolution of the space per step, the batch resized to it.
  const resolution = sn.space.fixedResolution ? sn.space.lr : options.rng.pick(sn.space.resolutions);
  const graphs = configs.map((c) => realise(space, { ...c, r: resolution }, { classes: sn.classes }));
  const { value, grads } = tf.tidy(() => {
    const { images: raw, labels } = batchTensorsOfShape([native, native, 3], sn.classes, batch);
    const images = native === resolution ? raw : tf.image.resizeBilinear(raw, [resolution, resolution], false, true);
    const onehot = tf.oneHot(labels, sn.classes);
    return tf.variableGrads(() => {
      const teacher = forward(graphs[0], subnetTensors(sn, graphs[0]), images, { training: true, updateStatistics: false });
      const logits = teacher[teacher.length - 1];
      let loss = tf.losses.softmaxCrossEntropy(onehot, logits) as Scalar;
      const soft = stopGradient(tf.softmax(logits));
      for (const graph of graphs.slice(1)) {
        const student = forward(graph, subnetTensors(sn, graph), images, { training: true, updateStatistics: false });
        loss = tf.add(loss, softCrossEntropy(student[student.length - 1], soft));
      }
      return loss;
    }, options.optimiser.variables);
  });
  options.optimiser.step(grads, options.lr);
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}

/** One epoch of sandwich training; returns the mean summed loss per batch. */
export function trainSupernetEpoch(sn: Supernet, batches: Iterable<Batch>, options: SupernetStepOptions & { onBatch?: (index: number, loss: number) => void }): number {
  let total = 0;
  let count = 0;
  for (const batch of batches) {
    const loss = supernetStep(sn, batch, options);
    options.onBatch?.(count, loss);
    total += loss;
    count++;
  }
  return count === 0 ? Number.NaN : total / count;
}
