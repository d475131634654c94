import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../../src/util/prng.ts';
import { hvReferencePoint, hypervolume, hypervolumeContributions, hypervolumeGain, normalisedHv } from '../../src/search/hypervolume.ts';

/**
 * Exact brute force: split space into the grid cells spanned by the distinct coordinates (plus the
 * reference point) and add up the cells whose lower corner some point dominates.
 */
function cellHv(points: number[][], ref: number[]): number {
  const m = ref.length;
  const axes = ref.map((r, k) => [...new Set(points.map((p) => p[k]).filter((v) => v < r).concat(r))].sort((a, b) => a - b));
  let volume = 0;
  const corner = new Array<number>(m);
  const visit = (k: number, size: number): void => {
    if (k === m) {
      if (points.some((p) => p.every((v, j) => v <= corner[j]))) volume += size;
      return;
    }
    for (let c = 0; c + 1 < axes[k].length; c++) {
      corner[k] = axes[k][c];
      visit(k + 1, size * (axes[k][c + 1] - axes[k][c]));
    }
  };
  visit(0, 1);
  return volume;
}

function randomPoints(rng: Prng, count: number, m: number): number[][] {
  // Coarse values so that ties between coordinates, which stress the slicing, occur.
  return Array.from({ length: count }, () => Array.from({ length: m }, () => rng.int(20) / 2));
}

const doe = [
  [30, 5],
  [25, 8],
  [40, 2],
  [35, 6],
  [22, 12],
];

test('CNAS worked example: reference point and normalised HV of the DOE', () => {
  const refPt = hvReferencePoint(doe);
  assert.deepEqual(refPt, [40, 12]);
  assert.ok(Math.abs(hypervolume(doe, [40.4, 12.12]) - 96.208) < 1e-9);
  assert.equal(normalisedHv(doe, refPt).toFixed(6), '0.196484');
});

test('CNAS worked example: after three more points (one outside the box)', () => {
  const refPt = hvReferencePoint(doe);
  const archive = doe.concat([
    [20, 9],
    [28, 3],
    [45, 1],
  ]);
  assert.ok(Math.abs(hypervolume(archive, [40.4, 12.12]) - 141.448) < 1e-9);
  assert.equal(normalisedHv(archive, refPt).toFixed(6), '0.288877');
});

test('points on or beyond the reference point and dominated points add nothing', () => {
  assert.equal(hypervolume([[1, 1]], [2, 2]), 1);
  assert.equal(hypervolume([[1, 1], [2, 0], [0, 2], [3, 3], [1.5, 1.5]], [2, 2]), 1);
  assert.equal(hypervolume([], [2, 2]), 0);
  assert.equal(hypervolume([[0.5], [1]], [2]), 1.5);
});

for (const m of [2, 3, 4]) {
  test(`${m}-D hypervolume matches the exact cell decomposition on random sets`, () => {
    const rng = new Prng(100 + m);
    for (let trial = 0; trial < 30; trial++) {
      const points = randomPoints(rng, 8 + rng.int(3), m);
      const ref = new Array<number>(m).fill(9);
      const expected = cellHv(points, ref);
      assert.ok(Math.abs(hypervolume(points, ref) - expected) < 1e-9 * Math.max(1, expected), `trial ${trial}`);
    }
  });
}

test('3-D hand case: two overlapping boxes', () => {
  // Boxes [1,3]x[2,3]x[0,3] (6) and [2,3]x[0,3]x[1,3] (6) overlap in [2,3]x[2,3]x[1,3] (2).
  assert.equal(hypervolume([[1, 2, 0], [2, 0, 1]], [3, 3, 3]), 10);
});

test('contributions: exclusive volume of each point, zero for dominated and duplicated points', () => {
  const points = [
    [1, 3],
    [2, 2],
    [3, 1],
    [3, 3],
  ];
  // Staircase with ref (4, 4): each front point owns a unit square exclusively; (3,3) is dominated.
  assert.deepEqual(hypervolumeContributions(points, [4, 4]), [1, 1, 1, 0]);
  assert.deepEqual(hypervolumeContributions([[1, 1], [1, 1]], [2, 2]), [0, 0]);
  assert.deepEqual(hypervolumeContributions([[1, 2, 2], [2, 1, 1]], [3, 3, 3]), [1, 3]);
});

test('the gain of adding a point equals the difference of the two hypervolumes, in 2 to 4 objectives', () => {
  const rng = new Prng(7);
  for (const m of [2, 3, 4]) {
    const ref = new Array<number>(m).fill(9);
    for (let trial = 0; trial < 20; trial++) {
      const set = randomPoints(rng, 9, m);
      const point = randomPoints(rng, 1, m)[0];
      const expected = cellHv(set.concat([point]), ref) - cellHv(set, ref);
      assert.ok(Math.abs(hypervolumeGain(point, set, ref) - expected) < 1e-9, `${m}-D trial ${trial}`);
    }
  }
});
