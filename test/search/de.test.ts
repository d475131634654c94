import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../../src/util/prng.ts';
import { differentialEvolution } from '../../src/search/de.ts';
import { latinHypercube } from '../../src/search/latin-hypercube.ts';
import type { Problem } from '../../src/search/problem.ts';

const upper = [16, 2, 10, 30, 5, 2, 16, 7];
// Optima on both ends of some genes, which flooring must still reach.
const target = [16, 0, 3, 21, 5, 1, 0, 4];

function singleObjective(f: (x: number[]) => number, cv?: (x: number[]) => number): Problem {
  return {
    nGenes: upper.length,
    upper,
    nObjectives: 1,
    evaluate: (pop) => ({ F: pop.map((x) => [f(x)]), ...(cv ? { CV: pop.map(cv) } : {}) }),
  };
}

const sphere = (x: number[]) => x.reduce((sum, v, i) => sum + (v - target[i]) ** 2, 0);
// Rastrigin-like: a sphere with a local minimum every 4 steps along each gene.
const rastrigin = (x: number[]) =>
  x.reduce((sum, v, i) => sum + (v - target[i]) ** 2 + 10 * (1 - Math.cos((Math.PI / 2) * (v - target[i]))), 0);

function assertSortedBestFirst(F: number[]): void {
  for (let i = 1; i < F.length; i++) assert.ok(F[i] >= F[i - 1], `F[${i}] = ${F[i]} after ${F[i - 1]}`);
}

test('DE finds the optimum of an integer sphere with per-gene bounds and returns members best first', () => {
  const result = differentialEvolution(singleObjective(sphere), { seed: 1 });
  assert.deepEqual(result.X[0], target);
  assert.equal(result.F[0], 0);
  assertSortedBestFirst(result.F);
  assert.ok(result.X.length <= 40);
  assert.equal(new Set(result.X.map((x) => x.join(','))).size, result.X.length);
  for (const x of result.X) x.forEach((v, i) => assert.ok(Number.isInteger(v) && v >= 0 && v <= upper[i]));
});

test('DE gets to the optimum of a multimodal Rastrigin-like integer function', () => {
  const result = differentialEvolution(singleObjective(rastrigin), { seed: 2 });
  assert.equal(result.F[0], 0);
  assertSortedBestFirst(result.F);
});

test('DE respects a constraint by feasibility rules: the best member is the constrained optimum', () => {
  // x0 <= 10 cuts off the unconstrained optimum x0 = 16, so the best feasible point is 6^2 away from it.
  const result = differentialEvolution(
    singleObjective(sphere, (x) => Math.max(0, x[0] - 10)),
    { seed: 3 },
  );
  assert.equal(result.CV[0], 0);
  assert.deepEqual(result.X[0], [10, ...target.slice(1)]);
  assert.equal(result.F[0], 36);
  // Feasible members come before infeasible ones, and infeasible ones by violation.
  const firstInfeasible = result.CV.findIndex((cv) => cv > 0);
  if (firstInfeasible >= 0) {
    for (let i = firstInfeasible + 1; i < result.CV.length; i++) assert.ok(result.CV[i] >= result.CV[i - 1]);
    assert.ok(result.CV.slice(firstInfeasible).every((cv) => cv > 0));
  }
});

test('an unconverged DE population comes back distinct and sorted best first', () => {
  let lastBatch: number[][] = [];
  const problem = singleObjective(rastrigin);
  const result = differentialEvolution({ ...problem, evaluate: (pop) => ((lastBatch = pop), problem.evaluate(pop)) }, { seed: 7, generations: 5 });
  assert.ok(result.X.length > 20, `${result.X.length} members`);
  assertSortedBestFirst(result.F);
  assert.deepEqual(result.F, result.X.map(rastrigin));
  assert.equal(new Set(result.X.map((x) => x.join(','))).size, result.X.length);
  // The best member is at least as good as anything tried in the last generation.
  assert.ok(result.F[0] <= Math.min(...lastBatch.map(rastrigin)));
});

test('DE is reproducible for a seed', () => {
  const problem = singleObjective(rastrigin);
  const run = (seed: number) => differentialEvolution(problem, { seed, generations: 10 });
  assert.deepEqual(run(4), run(4));
  assert.notDeepEqual(run(4), run(5));
});

test('DE rejects multi-objective problems', () => {
  assert.throws(() => differentialEvolution({ ...singleObjective(sphere), nObjectives: 2 }, { seed: 1 }), /1 objective/);
});

test('Latin hypercube sampling puts exactly one point in each stratum of every dimension', () => {
  const points = latinHypercube(40, 5, new Prng(6));
  for (let d = 0; d < 5; d++) {
    const strata = points.map((p) => Math.floor(p[d] * 40)).sort((a, b) => a - b);
    assert.deepEqual(strata, Array.from({ length: 40 }, (_, k) => k));
  }
});
