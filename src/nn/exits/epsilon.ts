import { cumulativeConfidences, exitOutcome, firstExit } from './rules.ts';
import type { ExitOutcome } from './rules.ts';

/** NACHOS's threshold grid. */
export const EPSILON_GRID: readonly number[] = [0.1, 0.2, 0.3, 0.5, 0.6, 0.7, 0.8];

/** The threshold vector of one grid point: [max(0.7, e), e, ..., e]; the first exit never goes below 0.7. */
export function gridEpsilon(e: number, exits: number): number[] {
  return [Math.max(0.7, e), ...new Array<number>(exits - 1).fill(e)];
}

/** What the cumulative rule gives with one threshold vector. */
export interface CumulativeResult extends ExitOutcome {
  epsilon: number[];
  /** CNAS's average cost: sum over exits of ratio * exit cost, in the unit of the costs given. */
  avgMacs: number;
}

/** Per-exit inputs of the cumulative rule on a validation set. */
export interface CumulativeInputs {
  /** Per exit, per sample: the confidence b (1 at the final exit). */
  confidences: readonly ArrayLike<number>[];
  /** Per exit, per sample: 1 where that exit's prediction is right. */
  correct: readonly ArrayLike<number>[];
  /** Per exit: backbone up to it plus its classifier (e.g. millions of MACs). */
  costs: readonly number[];
}

/** Scores threshold vectors for the cumulative rule; the cumulative confidences are computed once. */
export function cumulativeEvaluator(inputs: CumulativeInputs): (epsilon: readonly number[]) => CumulativeResult {
  if (inputs.costs.length !== inputs.confidences.length || inputs.correct.length !== inputs.confidences.length) {
    throw new Error(`cumulativeEvaluator: ${inputs.confidences.length} confidence, ${inputs.correct.length} correctness and ${inputs.costs.length} cost entries`);
  }
  const cumulative = cumulativeConfidences(inputs.confidences);
  return (epsilon) => {
    const outcome = exitOutcome(firstExit(cumulative, epsilon), inputs.correct);
    const avgMacs = outcome.ratios.reduce((sum, r, i) => sum + r * inputs.costs[i], 0);
    // A copy, so that no caller can change a result by editing the vector it passed (CNAS aliased its lists).
    return { ...outcome, epsilon: epsilon.slice(), avgMacs };
  };
}

/** The grid point with the best global accuracy (the first one on ties). */
export function tuneEpsilon(evaluate: (epsilon: readonly number[]) => CumulativeResult, exits: number, grid: readonly number[] = EPSILON_GRID): CumulativeResult {
  if (grid.length === 0) throw new Error('tuneEpsilon: empty grid');
  let best: CumulativeResult | undefined;
  for (const e of grid) {
    const result = evaluate(gridEpsilon(e, exits));
    if (best === undefined || result.accuracy > best.accuracy) best = result;
  }
  return best as CumulativeResult;
}

export interface RepairLimits {
  /** Largest acceptable average cost, in the unit of the costs. */
  mmax: number;
  /** Smallest acceptable global accuracy, a fraction in [0, 1]. */
  top1min: number;
}

/** Thresholds are lowered in steps of 0.1; rounding keeps 0.7 - 0.1 at 0.6 rather than 0.59999... */
function lowered(e: number): number {
  return Math.round((e - 0.1) * 1e9) / 1e9;
}

/**
 * NACHOS's MAC repair, applied when the tuned thresholds are accurate enough (accuracy >= top1min) but too
 * costly (avgMacs > mmax): from the second-to-last exit backwards, lower that exit's threshold by 0.1 while
 * the accuracy stays >= top1min and the threshold is above 0.11, moving to the previous exit otherwise, until
 * avgMacs <= mmax or exit 0 is exhausted. A lower threshold sends more samples out early, so the cost falls.
 * It starts from `start`, the best grid point (CNAS started from the last grid point evaluated, and lowered
 * the very list it meant to keep). When the limit cannot be met it returns the cheapest accepted state.
 */
export function repairEpsilon(evaluate: (epsilon: readonly number[]) => CumulativeResult, start: CumulativeResult, limits: RepairLimits): CumulativeResult {
  if (!(limits.top1min >= 0 && limits.top1min <= 1)) throw new Error(`repairEpsilon: top1min is a fraction in [0, 1], got ${limits.top1min}`);
  let current = start;
  if (current.accuracy < limits.top1min) return current;
  for (let i = current.epsilon.length - 2; i >= 0 && current.avgMacs > limits.mmax; ) {
    if (current.epsilon[i] <= 0.11) {
      i--;
      continue;
    }
    const trial = current.epsilon.slice();
    trial[i] = lowered(trial[i]);
    const result = evaluate(trial);
    if (result.accuracy < limits.top1min) {
      i--;
      continue;
    }
    current = result;
  }
  return current;
}
