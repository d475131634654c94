import { exitCosts } from '../../graph/exit-cost.ts';
import type { NetGraph } from '../../graph/types.ts';
import type { NetParams } from '../model/params.ts';
import { epochBatches } from './data.ts';
import type { EpochSource } from './data.ts';
import { cumulativeEvaluator, gridEpsilon, repairEpsilon, tuneEpsilon } from './epsilon.ts';
import { headKind } from './heads.ts';
import { predictExits } from './predictions.ts';
import type { ExitPredictions } from './predictions.ts';
import { eeStats } from './stats.ts';
import type { EeStats } from './stats.ts';
import { trainBernulli } from './train-bernulli.ts';
import { trainJoint } from './train-joint.ts';

export interface TrainExitsOptions {
  /** `joint` (EDANAS, eemobilenetv3 heads) or `bernulli` (NACHOS, cbnmobilenetv3 heads with a confidence logit). */
  method: 'joint' | 'bernulli';
  /** Joint: training epochs. Bernulli: epochs after the warm-up (CNAS's ee_epochs). */
  epochs: number;
  /** Bernulli: epochs before the support term may start (CNAS's warmup_ee_epochs); ignored by joint. */
  warmupEpochs: number;
  /** Constant learning rate (CNAS: 0.01). */
  lr: number;
  /** Bernulli loss weights: classification, energy, support. */
  wAlpha: number;
  wBeta: number;
  wGamma: number;
  /** Bernulli: add the support term after the warm-up. */
  supportSet: boolean;
  /**
   * Bernulli: tune the cumulative thresholds on the validation set (and repair them against mmax/top1min);
   * without it they are the grid point 0.5, i.e. [0.7, 0.5, ...]. Joint always uses the config's `t`
   * (CNAS crashed on joint with tune_epsilon).
   */
  tuneEpsilon: boolean;
  /** Millions of MACs: the energy term's limit and the repair's target. */
  mmax?: number;
  /** Fraction in [0, 1]: the repair only runs on networks at least this accurate, and keeps them so. */
  top1min?: number;
  /** Seeds the support subsets. */
  seed: number;
  /** Joint: cross-entropy weight of each intermediate exit; default 1. */
  exitWeight?: number;
  /** SGD settings; defaults CNAS's 0.9 and 5e-5. */
  momentum?: number;
  weightDecay?: number;
  onEpoch?: (report: EpochReport) => void;
}

/** Progress after each training epoch: joint adds the final exit's validation accuracy, bernulli whether the support term ran. */
export interface EpochReport {
  epoch: number;
  /** Mean training objective over the epoch's images. */
  loss: number;
  finalAccuracy?: number;
  support?: boolean;
}

export interface TrainExitsData {
  train: EpochSource;
  /** Read as its epoch 0; must not be augmented. */
  validation: EpochSource;
}

export interface TrainExitsResult {
  stats: EeStats;
  epsilon: number[];
  exitRatios: number[];
}

const finalAccuracy = (p: ExitPredictions): number => p.correct[p.correct.length - 1].reduce((s, v) => s + v, 0) / p.samples;

function checkOptions(graph: NetGraph, o: TrainExitsOptions): void {
  const kind = headKind(graph);
  if (graph.exits.length > 1 && o.method === 'joint' && kind !== 'classes') throw new Error('method joint needs exit heads without a confidence logit (eemobilenetv3)');
  if (graph.exits.length > 1 && o.method === 'bernulli' && kind !== 'confidence') throw new Error('method bernulli needs exit heads with a confidence logit (cbnmobilenetv3)');
  for (const [name, value] of [['epochs', o.epochs], ['warmupEpochs', o.warmupEpochs]] as const) {
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${value}`);
  }
  if (o.top1min !== undefined && !(o.top1min >= 0 && o.top1min <= 1)) throw new Error(`top1min is a fraction in [0, 1], got ${o.top1min} (CNAS's scripts sometimes passed a percentage)`);
}

/** Per exit: backbone up to it plus its classifier, in millions of MACs (the unit of mmax). */
function exitMacs(graph: NetGraph): number[] {
  return exitCosts(graph).map((e) => (e.backboneMacs + e.classifierMacs) / 1e6);
}

/** EDANAS's thresholds from the graph: each intermediate exit's `t`, and 1 for the final exit. */
function configThresholds(graph: NetGraph): number[] {
  return graph.exits.map((e, i) => {
    if (e.final) return 1;
    if (e.threshold === undefined) throw new Error(`exit ${i} has no threshold t`);
    return e.threshold;
  });
}

/**
 * CNAS's ee_train.py after the backbone epochs: train the exits (`joint` or `bernulli`), pick the thresholds
 * (the config's `t` for joint; the tuned and repaired cumulative thresholds for bernulli) and score the network
 * on the validation set. `backbone_top1` is the final exit's validation error of the network as given. A
 * single-exit network is not trained: its stats have exits_ratio [1] and avg_macs = macs, as in CNAS.
 */
export function trainExits(graph: NetGraph, params: NetParams, data: TrainExitsData, o: TrainExitsOptions): TrainExitsResult {
  checkOptions(graph, o);
  const sgd = { momentum: o.momentum ?? 0.9, weightDecay: o.weightDecay ?? 5e-5 };
  const single = graph.exits.length === 1;
  const backboneAccuracy = finalAccuracy(predictExits(graph, params, epochBatches(data.validation, 0)));
  if (!single && o.method === 'joint') {
    trainJoint(graph, params, data.train, data.validation, { epochs: o.epochs, lr: o.lr, exitWeight: o.exitWeight ?? 1, ...sgd, onEpoch: o.onEpoch });
  } else if (!single) {
    trainBernulli(graph, params, data.train, {
      ...sgd,
      warmupEpochs: o.warmupEpochs,
      epochs: o.epochs,
      lr: o.lr,
      costs: exitMacs(graph),
      wAlpha: o.wAlpha,
      beta: 1,
      wBeta: o.wBeta,
      mmax: o.mmax,
      wGamma: o.wGamma,
      supportSet: o.supportSet,
      seed: o.seed,
      onEpoch: o.onEpoch,
    });
  }
  const predictions = predictExits(graph, params, epochBatches(data.validation, 0));
  const rule = o.method === 'bernulli' && !single ? 'cumulative' : 'score_margin';
  const epsilon = rule === 'cumulative' ? bernulliThresholds(graph, predictions, o) : single ? [1] : configThresholds(graph);
  const stats = eeStats(graph, { predictions, epsilon, rule, backboneAccuracy });
  return { stats, epsilon, exitRatios: stats.exits_ratio };
}

function bernulliThresholds(graph: NetGraph, p: ExitPredictions, o: TrainExitsOptions): number[] {
  const exits = graph.exits.length;
  if (!o.tuneEpsilon) return gridEpsilon(0.5, exits);
  const evaluate = cumulativeEvaluator({ confidences: p.confidences, correct: p.correct, costs: exitMacs(graph) });
  const best = tuneEpsilon(evaluate, exits);
  if (o.mmax === undefined || o.top1min === undefined) return best.epsilon;
  return repairEpsilon(evaluate, best, { mmax: o.mmax, top1min: o.top1min }).epsilon;
}
