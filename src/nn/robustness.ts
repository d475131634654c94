import * as tf from '@tensorflow/tfjs';
import type { NetGraph } from '../graph/types.ts';
import { Prng } from '../util/prng.ts';
import type { NetParams } from './model/params.ts';
import type { Batch } from './train/batch.ts';
import { evaluate } from './train/evaluate.ts';

export interface RobustnessOptions {
  /** Relative noise scale: p <- p + sigma * p * N(0, 1). FlatNAS's default 0.05. */
  sigma: number;
  /** Noise draws; FlatNAS uses 20. */
  draws: number;
  seed: number;
}

/**
 * FlatNAS's robustness: the mean absolute change of validation accuracy (percentage points, rounded to 2
 * decimals) when every trainable parameter (BN affine and biases included, running statistics not) gets
 * multiplicative Gaussian noise, over `draws` draws. Flat minima change little. The weights are restored.
 */
export function weightNoiseRobustness(graph: NetGraph, params: NetParams, batches: () => Iterable<Batch>, o: RobustnessOptions): { robustness: number; accuracy: number } {
  const accuracy = (): number => 100 * evaluate(graph, params, batches()).exits.at(-1)!.accuracy;
  const clean = accuracy();
  const trainable = params.tensors.filter((t) => t.trainable);
  const originals = trainable.map((t) => t.variable.dataSync().slice() as Float32Array);
  const rng = new Prng(o.seed);
  let total = 0;
  try {
    for (let d = 0; d < o.draws; d++) {
      trainable.forEach((t, i) => {
        const p = originals[i];
        const noisy = new Float32Array(p.length);
        for (let j = 0; j < p.length; j++) noisy[j] = p[j] + o.sigma * p[j] * rng.normal();
        tf.tidy(() => t.variable.assign(tf.tensor(noisy, t.variable.shape)));
      });
      total += Math.abs(clean - accuracy());
    }
  } finally {
    trainable.forEach((t, i) => tf.tidy(() => t.variable.assign(tf.tensor(originals[i], t.variable.shape))));
  }
  return { robustness: Math.round((total / o.draws) * 100) / 100, accuracy: clean };
}

/** CNAS's sigma grid: sigma_min + i * sigma_step while i < round((max - min) / step) + 1; only the first is used. */
export function sigmaGrid(min: number, max: number, step: number): number[] {
  const count = max === min || step === 0 ? 1 : Math.round((max - min) / step) + 1;
  return Array.from({ length: count }, (_, i) => Math.round((min + i * step) * 100) / 100);
}
