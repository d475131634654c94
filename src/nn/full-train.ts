import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Batcher } from '../data/batcher.ts';
import type { Dataset } from '../data/dataset.ts';
import type { NetGraph } from '../graph/types.ts';
import type { SubnetConfig } from '../space/config.ts';
import type { SearchSpace } from '../space/definition.ts';
import { realise } from '../space/realise.ts';
import { writeJsonAtomic } from '../util/atomic-write.ts';
import { loadCheckpoint, MANIFEST_FILE, saveCheckpoint } from './model/checkpoint.ts';
import { disposeParams, initParams } from './model/params.ts';
import type { NetParams } from './model/params.ts';
import { evaluate } from './train/evaluate.ts';
import { cosineLearningRate } from './train/schedule.ts';
import { Sgd } from './train/sgd.ts';
import { trainEpoch } from './train/trainer.ts';
import { trainExits } from './exits/train-exits.ts';
import type { TrainExitsOptions } from './exits/train-exits.ts';

export interface FullTrainOptions {
  /** The net folder (post-search output): net.subnet, and ckpt/ with the weights to start from if present. */
  dir: string;
  resolution: number;
  classes: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  labelSmoothing: number;
  resume: boolean;
  seed: number;
  /** Early-exit networks: train the exits after the backbone, as the search did. */
  exits?: Omit<TrainExitsOptions, 'seed' | 'onEpoch'>;
}

export interface EpochReport {
  epoch: number;
  lr: number;
  train_loss: number;
  val_loss: number;
  val_top1_error: number;
  seconds: number;
}

export interface FullTrainResult {
  dir: string;
  best_epoch: number;
  best_top1_error: number;
  history: EpochReport[];
  started_from: string;
  /** Early-exit networks: CNAS's multi-exit stats of the trained network (exit ratios, avg_macs ...). */
  exits?: Record<string, unknown>;
}

interface State {
  epochs_done: number;
  best_epoch: number;
  best_top1_error: number;
  best_val_loss: number;
  history: EpochReport[];
  started_from: string;
}

export const TRAINED_DIR = 'trained';
const LAST_DIR = 'last';
const STATE_FILE = 'train-state.json';

function startingWeights(dir: string, graph: NetGraph, seed: number): { params: NetParams; from: string } {
  const ckpt = join(dir, 'ckpt');
  if (existsSync(join(ckpt, MANIFEST_FILE))) return { params: loadCheckpoint(ckpt, graph), from: 'ckpt (the search\'s fine-tuned weights)' };
  return { params: initParams(graph, seed), from: 'seeded random weights (no ckpt/ in the net folder)' };
}

/** The exits of the best backbone epoch, trained and saved back to `trained/`. */
function trainExitsOfBest(graph: NetGraph, o: FullTrainOptions, data: { train: Batcher; validation: Batcher }, logger?: Logger): Record<string, unknown> {
  const best = loadCheckpoint(join(o.dir, TRAINED_DIR), graph);
  try {
    const result = trainExits(graph, best, data, { ...o.exits!, seed: o.seed, onEpoch: (r) => logger?.info(r, 'exit epoch') });
    saveCheckpoint(join(o.dir, TRAINED_DIR), graph, best);
    return { ...result.stats };
  } finally {
    disposeParams(best);
  }
}

/**
 * Trains a chosen network to convergence: from its `ckpt/` (the weights the search fine-tuned, inherited from
 * the supernet) or seeded random weights, SGD with cosine schedule per epoch and label smoothing, evaluating
 * every epoch. The best epoch's weights go to `trained/`, the last ones and the state to `last/` and
 * `train-state.json` after every epoch, so `resume` continues after an interruption.
 */
export function fullTrain(space: SearchSpace, data: { train: Dataset; validation: Dataset }, o: FullTrainOptions, logger?: Logger, onEpoch?: (r: EpochReport) => void): FullTrainResult {
  const config = JSON.parse(readFileSync(join(o.dir, 'net.subnet'), 'utf8')) as SubnetConfig;
  const resolution = config.r ?? o.resolution;
  const graph = realise(space, config, { resolution, classes: o.classes });
  const statePath = join(o.dir, STATE_FILE);
  let state: State;
  let params: NetParams;
  if (o.resume && existsSync(statePath)) {
    state = JSON.parse(readFileSync(statePath, 'utf8')) as State;
    params = loadCheckpoint(join(o.dir, LAST_DIR), graph);
  } else {
    if (existsSync(statePath)) throw new Error(`${o.dir} was already trained (${STATE_FILE} exists); add --resume to continue it`);
    const start = startingWeights(o.dir, graph, o.seed);
    params = start.params;
    state = { epochs_done: 0, best_epoch: 0, best_top1_error: 100, best_val_loss: Infinity, history: [], started_from: start.from };
  }
  const optimiser = new Sgd(params.tensors, { weightDecay: o.weightDecay });
  const validation = new Batcher(data.validation, { batchSize: o.batchSize, shuffle: false, resolution });
  const training = new Batcher(data.train, { batchSize: o.batchSize, seed: o.seed, augment: true, dropLast: data.train.size > o.batchSize, resolution });
  try {
    for (let epoch = state.epochs_done; epoch < o.epochs; epoch++) {
      const started = Date.now();
      const lr = cosineLearningRate(o.learningRate, epoch, o.epochs);
      const trainLoss = trainEpoch(graph, params, training.epoch(epoch), { optimiser, lr, labelSmoothing: o.labelSmoothing });
      const result = evaluate(graph, params, validation.epoch(0)).exits.at(-1)!;
      const report: EpochReport = { epoch: epoch + 1, lr, train_loss: trainLoss, val_loss: result.loss, val_top1_error: Math.round((100 - 100 * result.accuracy) * 100) / 100, seconds: (Date.now() - started) / 1000 };
      if (report.val_top1_error < state.best_top1_error || state.best_epoch === 0) {
        saveCheckpoint(join(o.dir, TRAINED_DIR), graph, params);
        state = { ...state, best_epoch: report.epoch, best_top1_error: report.val_top1_error, best_val_loss: report.val_loss };
      }
      saveCheckpoint(join(o.dir, LAST_DIR), graph, params);
      state = { ...state, epochs_done: epoch + 1, history: [...state.history, report] };
      writeJsonAtomic(statePath, state, 2);
      logger?.info(report, 'epoch');
      onEpoch?.(report);
    }
    const result: FullTrainResult = { dir: o.dir, best_epoch: state.best_epoch, best_top1_error: state.best_top1_error, history: state.history, started_from: state.started_from };
    if (o.exits && graph.exits.length > 1) result.exits = trainExitsOfBest(graph, o, { train: training, validation }, logger);
    return result;
  } finally {
    optimiser.dispose();
    disposeParams(params);
  }
}
