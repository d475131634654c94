import type { Prng } from '../util/prng.ts';

/** Objective values (minimised) and optional total constraint violations of a batch of individuals. */
export interface Evaluation {
  F: number[][];
  /** Sum of max(0, g_j) over the constraints g_j <= 0; absent means every individual is feasible. */
  CV?: number[];
}

/** An integer-gene search problem: gene i takes the values 0..upper[i] inclusive. */
export interface Problem {
  nGenes: number;
  upper: readonly number[];
  nObjectives: number;
  /** Called with whole batches so that a surrogate can predict them in one go. */
  evaluate(pop: number[][]): Evaluation;
  /** Maps a generated individual onto a valid one (for rules the bounds cannot express). */
  repair?(x: number[], rng: Prng): number[];
}

/** Checks the bounds once up front, so that the optimisers may trust them. */
export function assertValidProblem(problem: Problem): void {
  if (!Number.isInteger(problem.nGenes) || problem.nGenes < 1) throw new Error(`nGenes must be a positive integer, got ${problem.nGenes}`);
  if (problem.upper.length !== problem.nGenes) {
    throw new Error(`upper has ${problem.upper.length} bounds for ${problem.nGenes} genes`);
  }
  for (const u of problem.upper) {
    if (!Number.isInteger(u) || u < 0) throw new Error(`gene upper bounds must be integers >= 0, got ${u}`);
  }
}

/** Evaluates a batch and checks the shape of the answer, because a silent mismatch would corrupt the ranking. */
export function evaluateBatch(problem: Problem, pop: number[][]): { F: number[][]; CV: number[] } {
  const { F, CV } = problem.evaluate(pop);
  if (F.length !== pop.length) throw new Error(`evaluate returned ${F.length} objective vectors for ${pop.length} individuals`);
  for (const f of F) {
    if (f.length !== problem.nObjectives) throw new Error(`expected ${problem.nObjectives} objectives, got ${f.length}`);
  }
  if (CV !== undefined && CV.length !== pop.length) throw new Error(`evaluate returned ${CV.length} violations for ${pop.length} individuals`);
  return { F, CV: CV ?? new Array<number>(pop.length).fill(0) };
}
