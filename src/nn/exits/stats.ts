import { toMillions } from '../../graph/cost.ts';
import { avgMacs, exitCosts, expectedMacs } from '../../graph/exit-cost.ts';
import type { NetGraph } from '../../graph/types.ts';
import { expectedCalibrationError } from './calibration.ts';
import type { ExitPredictions } from './predictions.ts';
import { cumulativeExits, exitOutcome, scoreMarginExits } from './rules.ts';

export type ExitRule = 'score_margin' | 'cumulative';

/** The multi-exit `net_<i>.stats` keys of ee_train.py, in its order, plus `expected_macs`. */
export interface EeStats {
  /** Final-exit validation error (%) of the network before early-exit training. */
  backbone_top1: number;
  /** Per exit, millions, each classifier once (CNAS counted intermediate heads twice, the final one 3x). */
  classifiers_params: number[];
  /** Per exit, millions rounded to 2 decimals: the backbone up to the exit. */
  backbone_params_i: number[];
  classifiers_macs: number[];
  backbone_macs_i: number[];
  /** Per exit ECE of the top softmax probability, 30 bins; with the cumulative (NACHOS) rule only. */
  ece_scores?: Record<string, number>;
  exits_ratio: number[];
  /** Millions: sum over exits of ratio * (backbone + that exit's classifier), CNAS's formula. */
  avg_macs: number;
  /** Millions: like avg_macs, but counting the heads of the earlier exits a sample also ran. */
  expected_macs: number;
  epsilon: number[];
  cumulative_threshold: boolean;
  /** Global error (%): samples wrong at the exit they left from. */
  top1: number;
  /** Accuracy (fraction) of the samples leaving at each exit, keyed "0", "1", ..., and "global". */
  branch_scores: Record<string, number>;
  /** Millions: backbone, every exit classifier once. */
  params: number;
  /** Millions: backbone and final head. */
  macs: number;
}

export interface EeStatsInput {
  /** The validation pass of the trained network. */
  predictions: ExitPredictions;
  /** One threshold per exit (the final one is never consulted). */
  epsilon: readonly number[];
  rule: ExitRule;
  /** Fraction in [0, 1]. */
  backboneAccuracy: number;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

function keyed(values: readonly number[], extra: Record<string, number> = {}): Record<string, number> {
  return { ...Object.fromEntries(values.map((v, i) => [String(i), v])), ...extra };
}

/**
 * Stats of an early-exit network on a validation pass, with the keys of CNAS's ee_train.py. Backbone figures are
 * rounded to 2 decimals as the cost model rounds, classifier figures are not (as in CNAS); avg_macs and
 * expected_macs come from the exact counts. A single-exit network gets exits_ratio [1] and avg_macs = macs.
 */
export function eeStats(graph: NetGraph, input: EeStatsInput): EeStats {
  const { predictions: p, epsilon, rule } = input;
  if (epsilon.length !== graph.exits.length) throw new Error(`eeStats: ${epsilon.length} thresholds for ${graph.exits.length} exits`);
  if (p.correct.length !== graph.exits.length) throw new Error(`eeStats: predictions of ${p.correct.length} exits for ${graph.exits.length}`);
  const costs = exitCosts(graph);
  const taken = rule === 'cumulative' ? cumulativeExits(p.confidences, epsilon) : scoreMarginExits(p.margins, epsilon);
  const outcome = exitOutcome(taken, p.correct);
  const classifiersParams = costs.map((e) => e.classifierParams / 1e6);
  const backboneParams = costs.map((e) => toMillions(e.backboneParams));
  const classifiersMacs = costs.map((e) => e.classifierMacs / 1e6);
  const backboneMacs = costs.map((e) => toMillions(e.backboneMacs));
  const last = costs.length - 1;
  const macs = backboneMacs[last] + classifiersMacs[last];
  const single = costs.length === 1;
  return {
    backbone_top1: round2(100 - 100 * input.backboneAccuracy),
    classifiers_params: classifiersParams,
    backbone_params_i: backboneParams,
    classifiers_macs: classifiersMacs,
    backbone_macs_i: backboneMacs,
    ...(rule === 'cumulative' && { ece_scores: keyed(p.maxSoftmax.map((conf, i) => expectedCalibrationError(conf, p.correct[i]))) }),
    exits_ratio: outcome.ratios,
    avg_macs: single ? macs : avgMacs(costs, outcome.ratios) / 1e6,
    expected_macs: single ? macs : expectedMacs(costs, outcome.ratios) / 1e6,
    epsilon: epsilon.slice(),
    cumulative_threshold: rule === 'cumulative',
    top1: round2(100 - 100 * outcome.accuracy),
    branch_scores: keyed(outcome.branchScores, { global: outcome.accuracy }),
    params: backboneParams[last] + classifiersParams.reduce((a, b) => a + b, 0),
    macs,
  };
}
