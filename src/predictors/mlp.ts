import * as tf from '@tensorflow/tfjs';
import { Prng } from '../util/prng.ts';
import { permutation } from './permutation.ts';
import type { Surrogate } from './surrogate.ts';
import { checkQueryData, checkTrainingData } from './training-data.ts';

export interface MlpOptions {
  seed: number;
  /** CNAS trained for 2000 epochs; TF.js's pure-JS CPU backend needs about 0.25 s per epoch on 150 x 45. */
  epochs?: number;
}

export const DEFAULT_MLP_EPOCHS = 2000;
const LEARNING_RATE = 8e-4;
const HIDDEN = 300;
const DROPOUT = 0.2;
const TRAIN_FRACTION = 0.8;

/** One dense layer's parameters, kept as plain arrays between fits so that no tensor outlives a call. */
interface DenseWeights {
  kernel: Float32Array;
  bias: Float32Array;
  inputs: number;
  outputs: number;
}

interface Dense {
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
}

interface DenseVariables extends Dense {
  kernel: tf.Variable<tf.Rank.R2>;
  bias: tf.Variable<tf.Rank.R1>;
}

/** Adam whose learning rate can follow a schedule; TF.js keeps the field protected but reads it every step. */
class ScheduledAdam extends tf.AdamOptimizer {
  setLearningRate(rate: number): void {
    this.learningRate = rate;
  }
}

/**
 * CNAS's MLP predictor: nvar -> 300 -> 300 -> 300 -> 1 with ReLU, dropout 0.2 before the output layer,
 * full-batch Adam with cosine decay to 0, smooth L1 loss, and the weights of the epoch with the lowest loss
 * on a random 20 % validation split. Inputs and targets are used unscaled, as in CNAS.
 *
 * Initialisation follows PyTorch's nn.Linear (uniform in +-1/sqrt(fan_in) for kernel and bias), and every
 * random draw (initialisation, split, dropout masks) comes from the seed, so a seed fixes the predictions.
 */
export class MlpSurrogate implements Surrogate {
  readonly name = 'mlp';
  private readonly seed: number;
  private readonly epochs: number;
  private nvar: number | undefined;
  private layers: DenseWeights[] = [];

  constructor(options: MlpOptions) {
    this.seed = options.seed;
    this.epochs = options.epochs ?? DEFAULT_MLP_EPOCHS;
    if (!Number.isInteger(this.epochs) || this.epochs < 1) {
      throw new Error(`mlp: epochs must be a positive integer, got ${this.epochs}`);
    }
  }

  async fit(X: number[][], y: number[]): Promise<void> {
    const nvar = checkTrainingData(this.name, X, y);
    const n = X.length;
    const trainCount = Math.floor(n * TRAIN_FRACTION);
    if (trainCount < 1 || trainCount === n) {
      throw new Error(`mlp: an 80/20 train/validation split needs at least 2 training points, got ${n}`);
    }
    await tf.ready();
    const prng = new Prng(this.seed);
    const order = permutation(n, prng);
    const rows = (indices: number[]): tf.Tensor2D => tf.tensor2d(indices.map((i) => X[i]), [indices.length, nvar]);
    const targets = (indices: number[]): tf.Tensor2D => tf.tensor2d(indices.map((i) => [y[i]]), [indices.length, 1]);
    const trainIdx = order.slice(0, trainCount);
    const validIdx = order.slice(trainCount);
    const data = { xTrain: rows(trainIdx), yTrain: targets(trainIdx), xValid: rows(validIdx), yValid: targets(validIdx) };

    const sizes = [nvar, HIDDEN, HIDDEN, HIDDEN, 1];
    const variables = sizes.slice(1).map((outputs, i) => initialLayer(sizes[i], outputs, prng));
    const optimizer = new ScheduledAdam(LEARNING_RATE, 0.9, 0.999, 1e-8);
    let bestLoss = Infinity;
    let best: DenseWeights[] = [];
    try {
      for (let epoch = 0; epoch < this.epochs; epoch++) {
        // PyTorch's CosineAnnealingLR with eta_min = 0, stepped once per epoch.
        optimizer.setLearningRate((LEARNING_RATE * (1 + Math.cos((Math.PI * epoch) / this.epochs))) / 2);
        const dropoutSeed = prng.nextUint32();
        optimizer.minimize(() => smoothL1(data.yTrain, forward(variables, data.xTrain, dropoutSeed)));
        const validLoss = tf.tidy(() => smoothL1(data.yValid, forward(variables, data.xValid)).dataSync()[0]);
        if (validLoss < bestLoss) {
          bestLoss = validLoss;
          best = snapshot(variables);
        }
      }
    } finally {
      optimizer.dispose();
      for (const { kernel, bias } of variables) tf.dispose([kernel, bias]);
      tf.dispose(Object.values(data));
    }
    // Any finite loss beats the initial Infinity, so only a run that never had one gets here empty-handed.
    if (best.length === 0) throw new Error('mlp: the validation loss was never finite (training diverged)');
    this.layers = best;
    this.nvar = nvar;
  }

  predict(X: number[][]): number[] {
    const nvar = checkQueryData(this.name, X, this.nvar);
    if (X.length === 0) return [];
    return tf.tidy(() => {
      const layers = this.layers.map((w) => ({
        kernel: tf.tensor2d(w.kernel, [w.inputs, w.outputs]),
        bias: tf.tensor1d(w.bias),
      }));
      return Array.from(forward(layers, tf.tensor2d(X, [X.length, nvar])).dataSync());
    });
  }
}

function initialLayer(inputs: number, outputs: number, prng: Prng): DenseVariables {
  const bound = 1 / Math.sqrt(inputs);
  return tf.tidy(() => ({
    kernel: tf.variable(tf.randomUniform<tf.Rank.R2>([inputs, outputs], -bound, bound, 'float32', prng.nextUint32())),
    bias: tf.variable(tf.randomUniform<tf.Rank.R1>([outputs], -bound, bound, 'float32', prng.nextUint32())),
  }));
}

/** Hidden layers with ReLU, dropout (training only, when a mask seed is given), linear output layer. */
function forward(layers: readonly Dense[], x: tf.Tensor2D, dropoutSeed?: number): tf.Tensor2D {
  let h = x;
  layers.forEach(({ kernel, bias }, i) => {
    if (i === layers.length - 1 && dropoutSeed !== undefined) {
      h = tf.dropout(h, DROPOUT, undefined, dropoutSeed) as tf.Tensor2D;
    }
    h = tf.add(tf.matMul(h, kernel), bias);
    if (i < layers.length - 1) h = tf.relu(h);
  });
  return h;
}

/** PyTorch's SmoothL1Loss with beta = 1, which is the Huber loss with delta = 1, averaged. */
function smoothL1(labels: tf.Tensor2D, predictions: tf.Tensor2D): tf.Scalar {
  return tf.losses.huberLoss(labels, predictions, undefined, 1) as tf.Scalar;
}

function snapshot(variables: readonly DenseVariables[]): DenseWeights[] {
  return variables.map(({ kernel, bias }) => ({
    // Copied: the CPU backend hands out its own buffer.
    kernel: Float32Array.from(kernel.dataSync()),
    bias: Float32Array.from(bias.dataSync()),
    inputs: kernel.shape[0],
    outputs: kernel.shape[1],
  }));
}
