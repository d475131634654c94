import * as tf from '@tensorflow/tfjs';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import { deriveSeed } from '../../data/derive-seed.ts';
import type { NetGraph } from '../../graph/types.ts';
import { Prng } from '../../util/prng.ts';
import { forward } from '../model/forward.ts';
import type { NetParams, ParamTensor } from '../model/params.ts';
import { batchTensors } from '../train/batch.ts';
import type { Batch } from '../train/batch.ts';
import { Sgd } from '../train/sgd.ts';
import { bernulliLoss } from './bernulli-loss.ts';
import type { BernulliLossSettings } from './bernulli-loss.ts';
import { epochBatches } from './data.ts';
import type { EpochSource } from './data.ts';
import { predictExits } from './predictions.ts';
import { maskedBatch, SupportSelector, supportMatrix } from './support.ts';

export interface BernulliSettings extends Omit<BernulliLossSettings, 'classes'> {
  warmupEpochs: number;
  epochs: number;
  /** Constant learning rate. */
  lr: number;
  momentum: number;
  weightDecay: number;
  /** From epoch `warmupEpochs` on, hold out a support subset each epoch and add the support term. */
  supportSet: boolean;
  /** Seeds the choice of the support subset. */
  seed: number;
  onEpoch?: (report: { epoch: number; loss: number; support: boolean }) => void;
}

/** The tensors NACHOS trains: those of the intermediate exit heads (layers named `exits.<i>...`). */
export function exitHeadTensors(params: NetParams): ParamTensor[] {
  return params.tensors.filter((t) => t.layer.startsWith('exits.'));
}

/** Per intermediate exit, 1 where its top class is right: the BCE target, read off the tape. */
function intermediateCorrect(logits: readonly Tensor2D[], labels: Int32Array, classes: number): Uint8Array[] {
  return logits.slice(0, -1).map((l) => {
    const predicted = tf.tidy(() => tf.argMax(tf.slice(l, [0, 0], [l.shape[0], classes]), 1).dataSync());
    return Uint8Array.from(predicted, (p, n) => (p === labels[n] ? 1 : 0));
  });
}

/** Which samples of one batch went to the support subset, with the labels to check the replay against. */
interface SupportMask {
  labels: Int32Array;
  mask: Uint8Array;
}

/**
 * One epoch's support subset, chosen in a first pass over the epoch's batches: the masks that pick it (one per
 * batch, reused by the training pass) and the support matrix of the current network on it.
 */
function supportPass(graph: NetGraph, params: NetParams, batches: Iterable<Batch>, rng: Prng): { masks: SupportMask[]; support: Float32Array } {
  const selector = new SupportSelector(graph.classes, rng);
  const masks: SupportMask[] = [];
  const held: Batch[] = [];
  for (const batch of batches) {
    const mask = Uint8Array.from(batch.labels, (label) => (selector.take(label) ? 1 : 0));
    masks.push({ labels: Int32Array.from(batch.labels), mask });
    const part = maskedBatch(batch, mask, true);
    if (part) held.push(part);
  }
  if (held.length === 0) return { masks, support: supportMatrix(graph.exits.map(() => []), [], graph.classes) };
  const p = predictExits(graph, params, held);
  return { masks, support: supportMatrix(p.correct, p.labels, graph.classes) };
}

/** The training part of a replayed batch; refuses a source that does not replay an epoch identically. */
function trainingPart(batch: Batch, held: SupportMask | undefined): Batch | undefined {
  if (held === undefined || held.labels.length !== batch.size || held.labels.some((label, n) => label !== batch.labels[n])) {
    throw new Error('trainBernulli: the training source gave other batches when an epoch was replayed; it must be deterministic per epoch');
  }
  return maskedBatch(batch, held.mask, false);
}

/** One training step; returns the batch's loss. */
function step(graph: NetGraph, params: NetParams, batch: Batch, optimiser: Sgd, settings: BernulliLossSettings, lr: number, support: Tensor2D | undefined): number {
  const { value, grads } = tf.variableGrads(() => {
    const { images, labels } = batchTensors(graph, batch);
    const logits = forward(graph, params, images, { training: false });
    const correct = intermediateCorrect(logits, Int32Array.from(batch.labels), graph.classes);
    return bernulliLoss(logits, labels, correct, settings, support);
  }, optimiser.variables);
  optimiser.step(grads, lr);
  const loss = value.dataSync()[0];
  tf.dispose([value as Tensor, ...Object.values(grads)]);
  return loss;
}

/**
 * NACHOS's confidence training. The backbone is frozen and runs in inference mode (moving statistics, which
 * therefore stay as they are); only the intermediate exit heads learn. The final head is frozen too: NACHOS
 * reads it as the backbone's own classifier with a constant confidence of 1. Epochs 0..warmupEpochs-1 use the
 * classification, confidence and energy terms; with `supportSet`, later epochs add the support term on a
 * class-balanced tenth of the epoch's samples held out from training. The rate is constant. The last state is
 * kept: CNAS keeps the best final-exit validation accuracy with ties going to the later epoch, and the final
 * exit cannot change here, so that is always the last epoch.
 */
export function trainBernulli(graph: NetGraph, params: NetParams, train: EpochSource, s: BernulliSettings): void {
  const heads = exitHeadTensors(params);
  if (heads.length === 0) throw new Error('trainBernulli: the network has no intermediate exit heads to train');
  const optimiser = new Sgd(heads, { momentum: s.momentum, weightDecay: s.weightDecay });
  const lossSettings: BernulliLossSettings = { ...s, classes: graph.classes };
  const total = s.warmupEpochs + s.epochs;
  const supportFrom = s.supportSet ? s.warmupEpochs : total;
  try {
    for (let epoch = 0; epoch < total; epoch++) {
      const withSupport = epoch >= supportFrom;
      const pass = withSupport ? supportPass(graph, params, epochBatches(train, epoch), new Prng(deriveSeed(s.seed, epoch))) : undefined;
      const support = pass && tf.tensor2d(pass.support, [graph.classes, graph.exits.length]);
      let lossSum = 0;
      let images = 0;
      let index = 0;
      try {
        for (const full of epochBatches(train, epoch)) {
          const batch = pass ? trainingPart(full, pass.masks[index]) : full;
          index++;
          if (batch === undefined) continue;
          lossSum += step(graph, params, batch, optimiser, lossSettings, s.lr, support) * batch.size;
          images += batch.size;
        }
      } finally {
        tf.dispose(support);
      }
      if (images === 0) throw new Error(`trainBernulli: epoch ${epoch} had no training samples`);
      s.onEpoch?.({ epoch, loss: lossSum / images, support: withSupport });
    }
  } finally {
    optimiser.dispose();
  }
}
