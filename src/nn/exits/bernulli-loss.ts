import * as tf from '@tensorflow/tfjs';
import type { Scalar, Tensor1D, Tensor2D } from '@tensorflow/tfjs';
import { splitExitLogits } from './predictions.ts';

/** b~_i = b_i * prod_{j<i} (1 - b_j), column by column of [batch, exits] (a few exits: no cumprod needed). */
export function normalisedConfidenceTensor(b: Tensor2D): Tensor2D {
  const columns = tf.unstack(b, 1);
  let stay = tf.onesLike(columns[0]);
  const out = columns.map((bi) => {
    const leave = tf.mul(bi, stay);
    stay = tf.mul(stay, tf.sub(1, bi));
    return leave;
  });
  return tf.stack(out, 1) as Tensor2D;
}

/** NACHOS's classification term: sum over exits of mean over the batch of CE_i * b~_i. */
export function classificationLoss(classLogits: readonly Tensor2D[], labels: Tensor1D, normalised: Tensor2D): Scalar {
  const ce = tf.stack(
    classLogits.map((l) => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, l.shape[1]), l, undefined, 0, tf.Reduction.NONE)),
    1,
  );
  return tf.sum(tf.mean(tf.mul(ce, normalised), 0));
}

/**
 * Class-balanced BCE weights, per exit over the batch as NACHOS: tot / (2 * #right) for right samples and
 * tot / (2 * #wrong) for wrong ones. Row-major [batch, exits].
 */
export function balancedBceWeights(correct: readonly Uint8Array[], batch: number): Float32Array {
  const exits = correct.length;
  const weights = new Float32Array(batch * exits);
  correct.forEach((c, i) => {
    const ones = c.reduce((s, v) => s + v, 0);
    const zeros = batch - ones;
    for (let n = 0; n < batch; n++) weights[n * exits + i] = c[n] ? batch / (2 * ones) : batch / (2 * zeros);
  });
  return weights;
}

/**
 * The confidence target term: BCE of clamp(b, 1e-4, 1 - 1e-4) against 1[exit right], class-balanced, mean over
 * the batch and the intermediate exits (`b` holds only those: the final confidence is the constant 1).
 */
export function confidenceBce(b: Tensor2D, correct: readonly Uint8Array[]): Scalar {
  const [batch, exits] = b.shape;
  const target = tf.tensor2d(Float32Array.from({ length: batch * exits }, (_, k) => correct[k % exits][Math.floor(k / exits)]), [batch, exits]);
  const weights = tf.tensor2d(balancedBceWeights(correct, batch), [batch, exits]);
  const p = tf.clipByValue(b, 1e-4, 1 - 1e-4);
  const bce = tf.neg(tf.add(tf.mul(target, tf.log(p)), tf.mul(tf.sub(1, target), tf.log(tf.sub(1, p)))));
  return tf.mean(tf.mul(bce, weights));
}

/**
 * Energy term: max(0, mean over the batch of sum_i b~_i * cost_i - mmax) / |cost_last - mmax|, only when the
 * final exit alone exceeds mmax (otherwise every mix of exits fits). Unlike CNAS, which built it as a constant,
 * it keeps its gradient, so it does push the confidences towards the cheaper exits.
 */
export function energyLoss(normalised: Tensor2D, costs: readonly number[], mmax: number): Scalar {
  const last = costs[costs.length - 1];
  if (!(last > mmax)) return tf.scalar(0);
  const expected = tf.mean(tf.sum(tf.mul(normalised, tf.tensor1d(costs.slice())), 1));
  return tf.div(tf.relu(tf.sub(expected, mmax)), Math.abs(last - mmax));
}

/**
 * Support term: mean over the batch of MSE(support[label], b), where support[c][i] is exit i's accuracy on
 * class c in the support subset and b the per-exit confidences of the sample. Element-wise: exit i's
 * confidence against exit i's support accuracy (CNAS compared a row with a column and so every exit's
 * accuracy with every exit's confidence).
 */
export function supportLoss(b: Tensor2D, labels: Tensor1D, support: Tensor2D): Scalar {
  if (support.shape[1] !== b.shape[1]) throw new Error(`supportLoss: support matrix has ${support.shape[1]} exits, confidences ${b.shape[1]}`);
  return tf.mean(tf.squaredDifference(b, tf.gather(support, labels)));
}

export interface BernulliLossSettings {
  classes: number;
  /** Per exit: backbone up to it plus its classifier, millions of MACs. */
  costs: readonly number[];
  wAlpha: number;
  /** Weight of the confidence BCE (NACHOS's beta, 1 in CNAS). */
  beta: number;
  wBeta: number;
  /** Millions of MACs; no energy term without it. */
  mmax?: number;
  wGamma: number;
}

/** The per-exit confidences of a batch's logits, [batch, exits], with 1 at the final exit. */
export function exitConfidences(logits: readonly Tensor2D[], classes: number): { classLogits: Tensor2D[]; b: Tensor2D } {
  const split = logits.map((l, i) => splitExitLogits(l, classes, i < logits.length - 1));
  return { classLogits: split.map((s) => s.classLogits), b: tf.stack(split.map((s) => s.confidence), 1) as Tensor2D };
}

/**
 * NACHOS's objective on one batch: w_alpha * classification + beta * confidence BCE + w_beta * energy
 * (+ w_gamma * support when a support matrix [classes, exits] is given). `correct` is, per intermediate exit,
 * 1 where its top class is right; it is a target, so it is passed in as data rather than derived on the tape.
 */
export function bernulliLoss(logits: readonly Tensor2D[], labels: Tensor1D, correct: readonly Uint8Array[], settings: BernulliLossSettings, support?: Tensor2D): Scalar {
  const exits = logits.length;
  const { classLogits, b } = exitConfidences(logits, settings.classes);
  const normalised = normalisedConfidenceTensor(b);
  let loss = tf.mul(classificationLoss(classLogits, labels, normalised), settings.wAlpha);
  const intermediate = tf.slice(b, [0, 0], [b.shape[0], exits - 1]);
  loss = tf.add(loss, tf.mul(confidenceBce(intermediate, correct), settings.beta));
  if (settings.mmax !== undefined) loss = tf.add(loss, tf.mul(energyLoss(normalised, settings.costs, settings.mmax), settings.wBeta));
  if (support !== undefined) loss = tf.add(loss, tf.mul(supportLoss(b, labels, support), settings.wGamma));
  return loss as Scalar;
}
