import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdaptiveSwitching, splitIntoFolds } from '../../src/predictors/adaptive-switching.ts';
import { kendallTau } from '../../src/predictors/metrics.ts';
import { CubicRbf } from '../../src/predictors/rbf.ts';
import type { MemberKind } from '../../src/predictors/surrogate.ts';
import { Prng } from '../../src/util/prng.ts';

/** An exactly linear target: the RBF's linear tail reproduces it, piecewise-constant trees cannot. */
function linearData(count: number, seed: number): { X: number[][]; y: number[] } {
  const weights = [1, -0.7, 0.45, 0.3, -0.2, 0.12];
  const prng = new Prng(seed);
  const X = Array.from({ length: count }, () => weights.map(() => prng.int(3)));
  return { X, y: X.map((x) => x.reduce((sum, v, i) => sum + weights[i] * v, 0)) };
}

test('folds are split like numpy.array_split', () => {
  const folds = splitIntoFolds([...Array(11).keys()], 4);
  assert.deepEqual(folds, [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10]]);
});

for (const pool of [['carts', 'rbf'], ['rbf', 'carts']] as MemberKind[][]) {
  test(`adaptive switching picks rbf over carts on a linear function (pool ${pool.join(', ')})`, async () => {
    const { X, y } = linearData(60, 1);
    const as = new AdaptiveSwitching({ seed: 3, pool, trees: 30 });
    await as.fit(X, y);
    assert.equal(as.name, 'adaptive switching');
    assert.equal(as.winner, 'rbf');
    const byKind = Object.fromEntries(as.scores.map((s) => [s.kind, s]));
    assert.equal(byKind.rbf.score, Math.max(...as.scores.map((s) => s.score)));
    assert.ok(byKind.rbf.score > byKind.carts.score + 0.1, JSON.stringify(as.scores.map((s) => [s.kind, s.score])));
    assert.equal(byKind.rbf.taus.length, 10);
  });
}

test('the winner is refitted on all the data', async () => {
  const { X, y } = linearData(60, 2);
  const query = linearData(25, 9).X;
  const as = new AdaptiveSwitching({ seed: 3, pool: ['carts', 'rbf'], trees: 30, folds: 5 });
  await as.fit(X, y);
  const rbf = new CubicRbf();
  await rbf.fit(X, y);
  assert.deepEqual(as.predict(query), rbf.predict(query));
});

test('adaptive switching with gp in the pool still ranks well and is reproducible', async () => {
  const { X, y } = linearData(50, 4);
  const held = linearData(40, 5);
  const fitPredict = async (): Promise<AdaptiveSwitching> => {
    const as = new AdaptiveSwitching({ seed: 8, pool: ['rbf', 'carts', 'gp'], trees: 20, folds: 5 });
    await as.fit(X, y);
    return as;
  };
  const as = await fitPredict();
  assert.notEqual(as.winner, 'carts');
  assert.ok(kendallTau(as.predict(held.X), held.y) > 0.95);
  assert.deepEqual((await fitPredict()).scores, as.scores);
});

test('adaptive switching refuses fewer points than folds and an empty pool', async () => {
  const { X, y } = linearData(8, 1);
  await assert.rejects(new AdaptiveSwitching({ seed: 1 }).fit(X, y), /10-fold cross-validation needs at least 10 points, got 8/);
  assert.throws(() => new AdaptiveSwitching({ seed: 1, pool: [] }), /pool is empty/);
  assert.throws(() => new AdaptiveSwitching({ seed: 1 }).predict(X), /predict called before fit/);
});
