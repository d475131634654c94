import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Batcher } from '../../data/batcher.ts';
import type { Dataset } from '../../data/dataset.ts';
import type { SearchSpace } from '../../space/definition.ts';
import { writeJsonAtomic } from '../../util/atomic-write.ts';
import { Prng } from '../../util/prng.ts';
import { disposeParams } from '../model/params.ts';
import { evaluate } from '../train/evaluate.ts';
import { cosineLearningRate } from '../train/schedule.ts';
import { Sgd } from '../train/sgd.ts';
import { backboneSpace, largestConfig, smallestConfig } from './layout.ts';
import { materialise, recalibrateBatchNorm } from './materialise.ts';
import { Supernet } from './supernet.ts';
import { trainSupernetEpoch } from './train-supernet.ts';

export const TRAIN_STATE_FILE = 'train-state.json';

export interface SupernetRunOptions {
  save: string;
  /** Continue from the last finished epoch in `save`. */
  resume: boolean;
  epochs: number;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  randomSubnets: number;
  seed: number;
}

export interface SupernetRunHooks {
  onBatch?(epoch: number, batch: number, batches: number, loss: number): void;
  onEpoch?(epoch: number, loss: number, seconds: number): void;
}

export interface SupernetRunResult {
  save: string;
  epochs: number;
  losses: number[];
  /** Top-1 error (%) on the validation set of the largest and smallest subnets after BN recalibration. */
  largest_top1: number;
  smallest_top1: number;
}

interface TrainState {
  epochs_done: number;
  losses: number[];
}

function readState(path: string): TrainState {
  let state: TrainState;
  try {
    state = JSON.parse(readFileSync(path, 'utf8')) as TrainState;
  } catch (err) {
    throw new Error(`${path}: corrupt JSON (${(err as Error).message})`);
  }
  if (!Number.isInteger(state.epochs_done) || !Array.isArray(state.losses)) throw new Error(`${path}: not a supernet training state`);
  return state;
}

/** Top-1 error of a subnet taken from the supernet, after recalibrating its batch norm. */
function subnetError(sn: Supernet, which: 'largest' | 'smallest', data: { train: Dataset; validation: Dataset }, batchSize: number): number {
  const space = backboneSpace(sn.space);
  const config = which === 'largest' ? largestConfig(space) : smallestConfig(space);
  const resolution = config.r ?? sn.space.lr;
  const { graph, params } = materialise(sn, config, { resolution });
  try {
    const batches = (d: Dataset): Batcher => new Batcher(d, { batchSize, shuffle: false, resolution });
    recalibrateBatchNorm(graph, params, batches(data.train).epoch(0), 10);
    const accuracy = evaluate(graph, params, batches(data.validation).epoch(0)).exits.at(-1)!.accuracy;
    return Math.round((100 - 100 * accuracy) * 100) / 100;
  } finally {
    disposeParams(params);
  }
}

/**
 * Trains a supernet with the sandwich rule for `epochs` (cosine learning rate per epoch), saving it and a
 * `train-state.json` after every epoch so that an interrupted run resumes where it stopped.
 */
export function trainSupernet(space: SearchSpace, classes: number, data: { train: Dataset; validation: Dataset }, o: SupernetRunOptions, hooks: SupernetRunHooks = {}): SupernetRunResult {
  const statePath = join(o.save, TRAIN_STATE_FILE);
  let state: TrainState = { epochs_done: 0, losses: [] };
  let sn: Supernet;
  if (o.resume && existsSync(statePath)) {
    sn = Supernet.load(o.save, space, classes);
    state = readState(statePath);
  } else {
    if (existsSync(statePath)) throw new Error(`${o.save} already holds a supernet; add --resume to continue it or choose another --save`);
    sn = Supernet.create(space, classes, o.seed);
  }
  const optimiser = new Sgd(sn.tensors, { weightDecay: o.weightDecay });
  const batcher = new Batcher(data.train, { batchSize: o.batchSize, seed: o.seed, augment: true, dropLast: data.train.size > o.batchSize });
  const batches = Math.max(1, Math.floor(data.train.size / o.batchSize));
  try {
    for (let epoch = state.epochs_done; epoch < o.epochs; epoch++) {
      const started = Date.now();
      const rng = new Prng(o.seed * 7919 + epoch);
      const loss = trainSupernetEpoch(sn, batcher.epoch(epoch), {
        optimiser,
        lr: cosineLearningRate(o.learningRate, epoch, o.epochs),
        randomSubnets: o.randomSubnets,
        rng,
        onBatch: (index, l) => hooks.onBatch?.(epoch, index + 1, batches, l),
      });
      sn.save(o.save);
      state = { epochs_done: epoch + 1, losses: [...state.losses, loss] };
      writeJsonAtomic(statePath, state, 2);
      hooks.onEpoch?.(epoch, loss, (Date.now() - started) / 1000);
    }
    return {
      save: o.save,
      epochs: state.epochs_done,
      losses: state.losses,
      largest_top1: subnetError(sn, 'largest', data, o.batchSize),
      smallest_top1: subnetError(sn, 'smallest', data, o.batchSize),
    };
  } finally {
    optimiser.dispose();
    sn.dispose();
  }
}
