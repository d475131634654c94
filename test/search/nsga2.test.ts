import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../../src/util/prng.ts';
import { nsga2 } from '../../src/search/nsga2.ts';
import { hypervolume } from '../../src/search/hypervolume.ts';
import { mutateIntegerGenes } from '../../src/search/polynomial-mutation.ts';
import { crossover } from '../../src/search/crossover.ts';
import { nonDominatedSort } from '../../src/search/dominance.ts';
import type { Problem } from '../../src/search/problem.ts';

const RESOLUTION = 1000;
const N_ZDT = 30;

/** ZDT1 (convex front f2 = 1 - sqrt f1) or ZDT2 (concave, f2 = 1 - f1^2) on genes 0..1000 mapped to x = g / 1000. */
function zdt(shape: (ratio: number) => number): Problem {
  return {
    nGenes: N_ZDT,
    upper: new Array<number>(N_ZDT).fill(RESOLUTION),
    nObjectives: 2,
    evaluate: (pop) => ({
      F: pop.map((genes) => {
        let tail = 0;
        for (let i = 1; i < N_ZDT; i++) tail += genes[i] / RESOLUTION;
        const g = 1 + (9 * tail) / (N_ZDT - 1);
        const f1 = genes[0] / RESOLUTION;
        return [f1, g * (1 - shape(f1 / g))];
      }),
    }),
  };
}

const zdtCases = [
  // True-front HV w.r.t. (1.1, 1.1): the integral of 1.1 - f2(f1) over [0, 1], plus the 0.1 x 1.1 strip beyond f1 = 1.
  { name: 'ZDT1', shape: Math.sqrt, front: (f1: number) => 1 - Math.sqrt(f1), trueHv: 0.1 + 2 / 3 + 0.11 },
  { name: 'ZDT2', shape: (r: number) => r * r, front: (f1: number) => 1 - f1 * f1, trueHv: 0.1 + 1 / 3 + 0.11 },
];

for (const { name, shape, front, trueHv } of zdtCases) {
  test(`NSGA-II reaches 99% of the true ${name} front's hypervolume (pop 100, 250 generations)`, () => {
    for (const seed of [1, 2]) {
      const result = nsga2(zdt(shape), { popSize: 100, generations: 250, seed });
      const hv = hypervolume(result.F, [1.1, 1.1]);
      assert.ok(hv >= 0.99 * trueHv && hv <= trueHv, `seed ${seed}: HV ${hv} vs true ${trueHv}`);
      // Converged, not merely spread: every member lies within 0.01 of the true front.
      for (const [f1, f2] of result.F) assert.ok(f2 - front(f1) < 0.01, `(${f1}, ${f2}) is off the front`);
    }
  });
}

/** Two competing objectives over 10 genes in 0..5, with the constraint sum(genes) <= 15. */
const budgetProblem: Problem = {
  nGenes: 10,
  upper: new Array<number>(10).fill(5),
  nObjectives: 2,
  evaluate: (pop) => ({
    F: pop.map((x) => [-(x[0] + x[2] + x[4] + x[6] + x[8]), -(x[1] + x[3] + x[5] + x[7] + x[9])]),
    CV: pop.map((x) => Math.max(0, x.reduce((a, b) => a + b, 0) - 15)),
  }),
};

test('constraint handling: the final population is feasible and sits on the constraint boundary', () => {
  let initialFeasible = -1;
  const problem: Problem = {
    ...budgetProblem,
    evaluate: (pop) => {
      const evaluation = budgetProblem.evaluate(pop);
      if (initialFeasible < 0) initialFeasible = evaluation.CV!.filter((cv) => cv === 0).length;
      return evaluation;
    },
  };
  const result = nsga2(problem, { popSize: 40, generations: 40, seed: 3 });
  // Random genes average a sum of 25, so the search has to find the feasible region first.
  assert.ok(initialFeasible < 20, `${initialFeasible} feasible at start`);
  assert.equal(result.X.length, 40);
  assert.deepEqual(result.CV, new Array<number>(40).fill(0));
  for (const x of result.X) assert.equal(x.reduce((a, b) => a + b, 0), 15);
});

test('infeasible-only problems return the least violating individuals first', () => {
  const problem: Problem = {
    nGenes: 4,
    upper: [9, 9, 9, 9],
    nObjectives: 2,
    evaluate: (pop) => ({ F: pop.map((x) => [x[0], -x[0]]), CV: pop.map((x) => 1 + x[1] + x[2] + x[3]) }),
  };
  const result = nsga2(problem, { popSize: 20, generations: 30, seed: 4 });
  assert.equal(result.CV[0], 1);
  for (let i = 1; i < result.CV.length; i++) assert.ok(result.CV[i] >= result.CV[i - 1]);
});

test('integer mutation stays within each gene bound and reaches every value, the top one included', () => {
  const rng = new Prng(5);
  const upper = [2, 16, 0];
  const seen = upper.map(() => new Set<number>());
  for (const start of [0, 8, 16]) {
    for (let draw = 0; draw < 3000; draw++) {
      const y = mutateIntegerGenes([Math.min(start, 2), start, 0], upper, 1, 1, rng);
      y.forEach((v, i) => {
        assert.ok(Number.isInteger(v) && v >= 0 && v <= upper[i], `gene ${i} = ${v}`);
        seen[i].add(v);
      });
    }
  }
  assert.equal(seen[0].size, 3);
  assert.equal(seen[1].size, 17);
  assert.ok(seen[1].has(16));
  assert.deepEqual([...seen[2]], [0]);
});

test('a gene whose optimum is its top value 16 gets there while the others keep their own bounds', () => {
  const upper = [16, 2, 2, 2, 5, 2];
  const problem: Problem = {
    nGenes: upper.length,
    upper,
    nObjectives: 2,
    evaluate: (pop) => ({ F: pop.map((x) => [-x[0] + x[1], x.slice(1).reduce((a, b) => a + b, 0) - x[0]]) }),
  };
  const result = nsga2(problem, { popSize: 20, generations: 15, seed: 6 });
  assert.equal(result.X[0][0], 16);
  for (const x of result.X) x.forEach((v, i) => assert.ok(v >= 0 && v <= upper[i]));
});

test('two-point and uniform crossover only exchange genes between the parents', () => {
  const rng = new Prng(7);
  const a = Array.from({ length: 12 }, (_, i) => i);
  const b = Array.from({ length: 12 }, (_, i) => 100 + i);
  for (const kind of ['two-point', 'uniform'] as const) {
    for (let draw = 0; draw < 200; draw++) {
      const [c, d] = crossover(kind, a, b, rng);
      for (let i = 0; i < 12; i++) assert.deepEqual([c[i], d[i]].sort((x, y) => x - y), [a[i], b[i]]);
      if (kind === 'two-point') {
        // One contiguous segment swapped: the child switches parent at most twice.
        const switches = c.slice(1).filter((v, i) => v >= 100 !== c[i] >= 100).length;
        assert.ok(switches <= 2 && c[0] === 0, `${c}`);
      }
    }
  }
});

test('same seed gives the identical result, another seed a different one', () => {
  const problem = zdt(Math.sqrt);
  const run = (seed: number) => nsga2(problem, { popSize: 20, generations: 10, seed, crossover: 'uniform' });
  assert.deepEqual(run(8), run(8));
  assert.notDeepEqual(run(8).X, run(9).X);
});

test('duplicates are eliminated: batches, population and result hold distinct individuals', () => {
  // A small space (3^4 = 81 points) makes collisions frequent.
  const batches: number[][][] = [];
  const problem: Problem = {
    nGenes: 4,
    upper: [2, 2, 2, 2],
    nObjectives: 2,
    evaluate: (pop) => {
      batches.push(pop);
      return { F: pop.map((x) => [x[0] + x[1], 4 - x[0] - x[1] + x[2] * x[3]]) };
    },
  };
  const result = nsga2(problem, { popSize: 30, generations: 10, seed: 10 });
  const key = (x: number[]) => x.join(',');
  assert.equal(new Set(result.X.map(key)).size, result.X.length);
  assert.equal(result.X.length, 30);
  for (const batch of batches) assert.equal(new Set(batch.map(key)).size, batch.length);
});

test('a space smaller than the population ends with all its points instead of looping', () => {
  const problem: Problem = {
    nGenes: 2,
    upper: [1, 2],
    nObjectives: 2,
    evaluate: (pop) => ({ F: pop.map((x) => [x[0], x[1]]) }),
  };
  const result = nsga2(problem, { popSize: 10, generations: 5, seed: 11 });
  assert.equal(result.X.length, 6);
  assert.deepEqual(result.X[0].concat(result.F[0]), [0, 0, 0, 0]);
});

test('the seed population is deduplicated, kept, and topped up to popSize; repair applies to new individuals', () => {
  const initial = [
    [4, 4, 4],
    [4, 4, 4],
    [0, 2, 6],
  ];
  let firstBatch: number[][] | undefined;
  const problem: Problem = {
    nGenes: 3,
    upper: [8, 8, 8],
    nObjectives: 2,
    evaluate: (pop) => {
      firstBatch ??= pop;
      return { F: pop.map((x) => [x[0] + x[1], x[2] - x[1]]) };
    },
    // Only even values are valid.
    repair: (x) => x.map((v) => v - (v % 2)),
  };
  const result = nsga2(problem, { popSize: 12, generations: 6, seed: 12, initial });
  assert.equal(firstBatch!.length, 12);
  assert.deepEqual(firstBatch!.slice(0, 2), [
    [4, 4, 4],
    [0, 2, 6],
  ]);
  for (const x of result.X) assert.ok(x.every((v) => v % 2 === 0), `${x}`);
});

test('an out-of-bounds seed individual is rejected', () => {
  const problem: Problem = { nGenes: 2, upper: [3, 3], nObjectives: 2, evaluate: (pop) => ({ F: pop.map((x) => [x[0], x[1]]) }) };
  assert.throws(() => nsga2(problem, { seed: 1, initial: [[0, 4]] }), /outside 0\.\.3/);
});

test('the result is sorted by constraint-domination rank', () => {
  // Early on the population still spans several fronts, infeasible ones included.
  const result = nsga2(budgetProblem, { popSize: 40, generations: 2, seed: 13 });
  const rankOf = new Array<number>(result.X.length);
  const fronts = nonDominatedSort(result.F, result.CV);
  fronts.forEach((front, r) => front.forEach((i) => (rankOf[i] = r)));
  assert.ok(fronts.length > 2, `${fronts.length} fronts`);
  for (let i = 1; i < rankOf.length; i++) assert.ok(rankOf[i] >= rankOf[i - 1], `rank ${rankOf[i]} after ${rankOf[i - 1]}`);
});
