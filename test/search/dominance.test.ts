import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constrainedDominance, dominates, nonDominatedSort } from '../../src/search/dominance.ts';
import { crowdingDistance } from '../../src/search/crowding.ts';
import { rankAndCrowdingSurvival } from '../../src/search/survival.ts';

test('Pareto dominance needs no worse everywhere and better somewhere, for any number of objectives', () => {
  assert.equal(dominates([1, 2], [2, 2]), true);
  assert.equal(dominates([2, 2], [1, 2]), false);
  assert.equal(dominates([1, 2], [1, 2]), false);
  assert.equal(dominates([1, 3], [2, 2]), false);
  assert.equal(dominates([1, 1, 1, 1], [1, 1, 1, 2]), true);
  assert.equal(dominates([1, 1, 3], [2, 2, 2]), false);
});

test('constraint-domination: feasible beats infeasible, lower violation beats higher, then Pareto', () => {
  // A feasible point wins even with far worse objectives.
  assert.equal(constrainedDominance([9, 9], 0, [0, 0], 0.1), 1);
  assert.equal(constrainedDominance([0, 0], 0.1, [9, 9], 0), -1);
  // Among infeasible points only the violation counts.
  assert.equal(constrainedDominance([9, 9], 1, [0, 0], 2), 1);
  assert.equal(constrainedDominance([0, 0], 2, [9, 9], 1), -1);
  assert.equal(constrainedDominance([0, 0], 2, [9, 9], 2), 0);
  // Among feasible points Pareto dominance.
  assert.equal(constrainedDominance([1, 1], 0, [2, 2], 0), 1);
  assert.equal(constrainedDominance([1, 3], 0, [2, 2], 0), 0);
});

test('non-dominated sort: feasible fronts first, then infeasible ones by violation', () => {
  const F = [
    [1, 4], // 0 front 0
    [2, 2], // 1 front 0
    [4, 1], // 2 front 0
    [3, 3], // 3 front 1 (dominated by 1)
    [4, 4], // 4 front 2
    [0, 0], // 5 infeasible, CV 1
    [5, 5], // 6 infeasible, CV 0.5
    [6, 0], // 7 infeasible, CV 1 (ties with 5)
  ];
  const CV = [0, 0, 0, 0, 0, 1, 0.5, 1];
  const fronts = nonDominatedSort(F, CV).map((front) => front.slice().sort((a, b) => a - b));
  assert.deepEqual(fronts, [[0, 1, 2], [3], [4], [6], [5, 7]]);
  // Without violations the same points sort by Pareto dominance alone.
  assert.deepEqual(
    nonDominatedSort(F).map((front) => front.slice().sort((a, b) => a - b)),
    [[5], [0, 1, 2, 7], [3], [4], [6]],
  );
});

test('non-dominated sort puts every index in exactly one front, each front mutually non-dominated', () => {
  const F = Array.from({ length: 60 }, (_, i) => [(i * 37) % 11, (i * 53) % 13, (i * 29) % 7]);
  const fronts = nonDominatedSort(F);
  assert.deepEqual(fronts.flat().sort((a, b) => a - b), F.map((_, i) => i));
  for (const [r, front] of fronts.entries()) {
    for (const a of front) {
      for (const b of front) assert.equal(dominates(F[a], F[b]), false);
      // Every member of a later front is dominated by someone in the front just before it.
      if (r > 0) assert.ok(fronts[r - 1].some((p) => dominates(F[p], F[a])));
    }
  }
});

test('crowding distance: extremes infinite, inner members sum normalised neighbour gaps', () => {
  const F = [
    [0, 10],
    [1, 6],
    [4, 2],
    [10, 0],
  ];
  const distance = crowdingDistance(F, [0, 1, 2, 3]);
  assert.equal(distance[0], Infinity);
  assert.equal(distance[3], Infinity);
  assert.ok(Math.abs(distance[1] - (4 / 10 + 8 / 10)) < 1e-12);
  assert.ok(Math.abs(distance[2] - (9 / 10 + 6 / 10)) < 1e-12);
  assert.deepEqual([...crowdingDistance(F, [1, 2])], [Infinity, Infinity]);
});

test('survival keeps whole fronts, then the least crowded of the overflowing front, ordered for output', () => {
  const F = [
    [5, 5], // 0 front 1
    [0, 10], // 1 front 0
    [1, 6], // 2 front 0, inner, crowding 1.2
    [4, 2], // 3 front 0, inner, crowding 1.5
    [10, 0], // 4 front 0
  ];
  const kept = rankAndCrowdingSurvival(F, [0, 0, 0, 0, 0], 3);
  assert.deepEqual(kept.indices, [1, 4, 3]);
  assert.deepEqual(kept.rank, [0, 0, 0]);
  const all = rankAndCrowdingSurvival(F, [0, 0, 0, 0, 0], 5);
  assert.deepEqual(all.indices, [1, 4, 3, 2, 0]);
  assert.deepEqual(all.rank, [0, 0, 0, 0, 1]);
});
