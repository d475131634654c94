/**
 * Early-exit rules as pure functions over per-exit arrays (one value per sample), so that they can be checked
 * on hand-made numbers and re-run cheaply for every threshold candidate. Exits are in `graph.exits` order;
 * the last one is the final classifier and takes every sample no earlier exit took.
 */

/** Softmax top-1 minus top-2 of every row of a row-major `samples x classes` matrix (EDANAS's score). */
export function scoreMargins(softmax: ArrayLike<number>, classes: number): Float32Array {
  if (!Number.isInteger(classes) || classes < 2) throw new Error(`scoreMargins: classes must be an integer >= 2, got ${classes}`);
  if (softmax.length % classes !== 0) throw new Error(`scoreMargins: ${softmax.length} values are not rows of ${classes}`);
  const margins = new Float32Array(softmax.length / classes);
  for (let n = 0; n < margins.length; n++) {
    let first = -Infinity;
    let second = -Infinity;
    for (let k = n * classes; k < (n + 1) * classes; k++) {
      const p = softmax[k];
      if (p > first) {
        second = first;
        first = p;
      } else if (p > second) {
        second = p;
      }
    }
    margins[n] = first - second;
  }
  return margins;
}

function checkExits(name: string, perExit: readonly ArrayLike<number>[], epsilon: readonly number[]): number {
  if (perExit.length === 0) throw new Error(`${name}: no exits`);
  if (epsilon.length !== perExit.length) throw new Error(`${name}: ${epsilon.length} thresholds for ${perExit.length} exits`);
  const samples = perExit[0].length;
  if (perExit.some((a) => a.length !== samples)) throw new Error(`${name}: exits disagree on the number of samples`);
  return samples;
}

/** Per sample, the first exit whose score reaches its threshold; the final exit when none does. */
export function firstExit(scores: readonly ArrayLike<number>[], epsilon: readonly number[]): Int32Array {
  const samples = checkExits('firstExit', scores, epsilon);
  const last = scores.length - 1;
  const taken = new Int32Array(samples).fill(last);
  for (let n = 0; n < samples; n++) {
    for (let i = 0; i < last; i++) {
      if (scores[i][n] >= epsilon[i]) {
        taken[n] = i;
        break;
      }
    }
  }
  return taken;
}

/** EDANAS: leave at the first exit i with softmax top-1 - top-2 >= epsilon_i. */
export function scoreMarginExits(margins: readonly ArrayLike<number>[], epsilon: readonly number[]): Int32Array {
  return firstExit(margins, epsilon);
}

/**
 * NACHOS's normalised confidences b~_i = b_i * prod_{j<i} (1 - b_j): the probability of leaving at exit i
 * when every exit decides independently. With b = 1 at the final exit they sum to 1 per sample.
 */
export function normalisedConfidences(b: readonly ArrayLike<number>[]): Float64Array[] {
  const samples = checkExits('normalisedConfidences', b, b.map(() => 0));
  const stay = new Float64Array(samples).fill(1);
  return b.map((bi) => {
    const out = new Float64Array(samples);
    for (let n = 0; n < samples; n++) {
      out[n] = bi[n] * stay[n];
      stay[n] *= 1 - bi[n];
    }
    return out;
  });
}

/** c_i = sum_{k<=i} b~_k, the probability of having left by exit i. */
export function cumulativeConfidences(b: readonly ArrayLike<number>[]): Float64Array[] {
  const normalised = normalisedConfidences(b);
  for (let i = 1; i < normalised.length; i++) {
    for (let n = 0; n < normalised[i].length; n++) normalised[i][n] += normalised[i - 1][n];
  }
  return normalised;
}

/** NACHOS: leave at the first exit i with c_i >= epsilon_i. */
export function cumulativeExits(b: readonly ArrayLike<number>[], epsilon: readonly number[]): Int32Array {
  return firstExit(cumulativeConfidences(b), epsilon);
}

export interface ExitOutcome {
  /** Share of the samples leaving at each exit; sums to 1. */
  ratios: number[];
  /** Samples right at the exit they left from, over all samples (CNAS's "global"). */
  accuracy: number;
  /** Accuracy among the samples leaving at each exit; 0 where none leaves (JSON has no NaN). */
  branchScores: number[];
}

/** Scores an exit assignment: `correct[i][n]` is 1 where exit i classifies sample n right. */
export function exitOutcome(taken: Int32Array, correct: readonly ArrayLike<number>[]): ExitOutcome {
  const samples = taken.length;
  if (samples === 0) throw new Error('exitOutcome: no samples');
  if (correct.some((c) => c.length !== samples)) throw new Error('exitOutcome: correctness arrays do not match the samples');
  const counts = new Array<number>(correct.length).fill(0);
  const right = new Array<number>(correct.length).fill(0);
  for (let n = 0; n < samples; n++) {
    const i = taken[n];
    if (!(i >= 0 && i < correct.length)) throw new Error(`exitOutcome: sample ${n} left at exit ${i}, the network has ${correct.length}`);
    counts[i]++;
    if (correct[i][n]) right[i]++;
  }
  return {
    ratios: counts.map((c) => c / samples),
    accuracy: right.reduce((a, b) => a + b, 0) / samples,
    branchScores: counts.map((c, i) => (c === 0 ? 0 : right[i] / c)),
  };
}
