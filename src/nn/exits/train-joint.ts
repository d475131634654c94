import * as tf from '@tensorflow/tfjs';
import type { Tensor } from '@tensorflow/tfjs';
import type { NetGraph } from '../../graph/types.ts';
import type { NetParams } from '../model/params.ts';
import { Sgd } from '../train/sgd.ts';
import { trainEpoch } from '../train/trainer.ts';
import { epochBatches } from './data.ts';
import type { EpochSource } from './data.ts';
import { predictExits } from './predictions.ts';

export interface JointSettings {
  epochs: number;
  /** Constant learning rate (CNAS: StepLR with gamma 1). */
  lr: number;
  /** Cross-entropy weight of every intermediate exit; the final exit weighs 1. */
  exitWeight: number;
  momentum: number;
  weightDecay: number;
  onEpoch?: (report: { epoch: number; loss: number; finalAccuracy: number }) => void;
}

export interface JointResult {
  /** 1-based epoch whose state was kept; 0 when no epoch ran. */
  bestEpoch: number;
  /** Final-exit validation accuracy of the kept state; undefined when no epoch ran. */
  bestAccuracy?: number;
}

function finalAccuracy(graph: NetGraph, params: NetParams, validation: EpochSource): number {
  const p = predictExits(graph, params, epochBatches(validation, 0));
  return p.correct[p.correct.length - 1].reduce((s, v) => s + v, 0) / p.samples;
}

/**
 * EDANAS's joint training: the backbone and every exit train together on the sum of the exits' cross-entropies
 * (intermediate exits weighted by `exitWeight`), SGD at a constant rate. The state (weights and running
 * statistics) with the best final-exit validation accuracy is kept; a later epoch wins ties, as in CNAS.
 */
export function trainJoint(graph: NetGraph, params: NetParams, train: EpochSource, validation: EpochSource, s: JointSettings): JointResult {
  const exitWeights = graph.exits.map((e) => (e.final ? 1 : s.exitWeight));
  const optimiser = new Sgd(params.tensors, { momentum: s.momentum, weightDecay: s.weightDecay });
  let best: Tensor[] | undefined;
  const result: JointResult = { bestEpoch: 0 };
  try {
    for (let epoch = 0; epoch < s.epochs; epoch++) {
      const loss = trainEpoch(graph, params, epochBatches(train, epoch), { optimiser, lr: s.lr, exitWeights });
      const accuracy = finalAccuracy(graph, params, validation);
      s.onEpoch?.({ epoch, loss, finalAccuracy: accuracy });
      if (result.bestAccuracy === undefined || accuracy >= result.bestAccuracy) {
        tf.dispose(best);
        best = params.tensors.map((t) => tf.keep(tf.clone(t.variable)));
        result.bestAccuracy = accuracy;
        result.bestEpoch = epoch + 1;
      }
    }
    const kept = best;
    if (kept !== undefined) params.tensors.forEach((t, i) => t.variable.assign(kept[i]));
  } finally {
    tf.dispose(best);
    optimiser.dispose();
  }
  return result;
}
