import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../../src/util/prng.ts';
import { selectSubset } from '../../src/search/subset-selection.ts';
import { spreadScore } from '../../src/search/spread-subset.ts';

const front = [
  [1, 9],
  [9, 1],
];

test('hv-contribution fills the biggest gap first, then the next gaps, skipping dominated and near-duplicate points', () => {
  const candidates = [
    [5.1, 5.1], // 0: nearly (5, 5), dominated by it
    [5, 5], // 1: the knee of the gap
    [9.5, 9.5], // 2: dominated by the front
    [2, 8.5], // 3
    [8.5, 2], // 4
  ];
  const picked = selectSubset(candidates, front, { k: 3, refPt: [10, 10] });
  assert.equal(picked[0], 1);
  assert.deepEqual(picked.slice(1).sort(), [3, 4]);
});

test('hv-contribution spreads out once every gain is zero', () => {
  // (0, 0) dominates all candidates; the near-duplicate of the first pick must lose to the distinct point.
  const candidates = [
    [6, 5],
    [6, 5.01],
    [5, 6],
  ];
  assert.deepEqual(selectSubset(candidates, [[0, 0]], { k: 2, refPt: [10, 10] }), [1, 2]);
});

test('spread picks the candidates that space the second objective evenly (CNAS criterion)', () => {
  const values = [5, 5.2, 2.5, 7.5, 9.9, 0.1];
  const candidates = values.map((v) => [0, v]);
  const frontF = [
    [0, 0],
    [0, 10],
  ];
  assert.deepEqual(selectSubset(candidates, frontF, { k: 3, method: 'spread', seed: 1 }), [0, 2, 3]);
  assert.equal(spreadScore([0, 10], values, [0, 2, 3]), 0);
  assert.ok(spreadScore([0, 10], values, [0, 1, 4]) > 0);
});

test('both methods return exactly k distinct in-range indices, or every candidate when there are too few', () => {
  const rng = new Prng(3);
  const candidates = Array.from({ length: 40 }, () => [rng.next(), rng.next()]);
  const frontF = Array.from({ length: 5 }, () => [rng.next(), rng.next()]);
  for (const method of ['hv-contribution', 'spread'] as const) {
    const picked = selectSubset(candidates, frontF, { k: 7, method, seed: 4, refPt: [1, 1] });
    assert.equal(picked.length, 7);
    assert.equal(new Set(picked).size, 7);
    assert.ok(picked.every((i) => Number.isInteger(i) && i >= 0 && i < 40));
    assert.deepEqual(selectSubset(candidates.slice(0, 5), frontF, { k: 7, method }), [0, 1, 2, 3, 4]);
    assert.deepEqual(selectSubset(candidates, frontF, { k: 0, method }), []);
  }
});

test('spread selection is reproducible for a seed', () => {
  const rng = new Prng(5);
  const candidates = Array.from({ length: 30 }, () => [rng.next(), rng.next() * 10]);
  const run = () => selectSubset(candidates, [], { k: 6, method: 'spread', seed: 6 });
  assert.deepEqual(run(), run());
});
