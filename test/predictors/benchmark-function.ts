import { Prng } from '../../src/util/prng.ts';
import { permutation } from '../../src/predictors/permutation.ts';

export interface BenchmarkProblem {
  nvar: number;
  sample(count: number, prng: Prng): number[][];
  evaluate(x: readonly number[]): number;
}

/**
 * A smooth stand-in for an accuracy landscape over a CNAS-like encoding: 44 genes in 0..2 plus a last one
 * in 0..16 (the input resolution). Gene importances decay geometrically (in a random gene order, with random
 * signs) because real landscapes are dominated by a few genes; on top of that a sine
 * of a random projection and a few pairwise interactions, so that no surrogate fits it exactly.
 *
 * The sparsity is what gives the tree ensemble a chance: on an equally weighted sum of 45 genes, 150
 * samples leave random-subspace trees at a Kendall tau of about 0.55 whatever their number.
 */
export function smoothBenchmark(seed: number, nvar = 45): BenchmarkProblem {
  const prng = new Prng(seed);
  const upper = Array.from({ length: nvar }, (_, i) => (i === nvar - 1 ? 16 : 2));
  const importanceRank = permutation(nvar, prng);
  const weights = new Array<number>(nvar);
  // Divided by the gene's range so that the importance is what the full range of the gene is worth.
  importanceRank.forEach((gene, rank) => (weights[gene] = ((prng.next() < 0.5 ? -2 : 2) * 0.6 ** rank) / upper[gene]));
  const projection = upper.map((u) => (2 * prng.normal()) / u);
  const interactions = Array.from({ length: 10 }, () => ({
    a: importanceRank[prng.int(8)],
    b: importanceRank[prng.int(8)],
    scale: 0.1 * prng.normal(),
  }));
  return {
    nvar,
    sample: (count, rng) => Array.from({ length: count }, () => upper.map((u) => rng.int(u + 1))),
    evaluate: (x) => {
      let linear = 0;
      let phase = 0;
      for (let i = 0; i < nvar; i++) {
        linear += weights[i] * x[i];
        phase += projection[i] * x[i];
      }
      let pairs = 0;
      for (const { a, b, scale } of interactions) pairs += (scale * x[a] * x[b]) / (upper[a] * upper[b]);
      return linear + 0.3 * Math.sin(phase) + pairs;
    },
  };
}

export interface HeldOutSplit {
  X: number[][];
  y: number[];
  testX: number[][];
  testY: number[];
}

/** 150 training and 300 held-out points of the benchmark, as the surrogate accuracy tests use them. */
export function benchmarkSplit(seed: number, train = 150, held = 300): HeldOutSplit {
  const problem = smoothBenchmark(seed);
  const prng = new Prng(seed + 1000);
  const X = problem.sample(train, prng);
  const testX = problem.sample(held, prng);
  return { X, y: X.map(problem.evaluate), testX, testY: testX.map(problem.evaluate) };
}
