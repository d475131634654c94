import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CartsEnsemble } from '../../src/predictors/carts.ts';
import { kendallTau } from '../../src/predictors/metrics.ts';
import { benchmarkSplit } from './benchmark-function.ts';

test('carts (default tree count) ranks held-out points of the 45-gene benchmark with tau >= 0.7', async () => {
  const { X, y, testX, testY } = benchmarkSplit(1);
  const carts = new CartsEnsemble({ seed: 7 });
  await carts.fit(X, y);
  assert.equal(carts.name, 'carts');
  assert.ok(kendallTau(carts.predict(testX), testY) >= 0.7);
});

test('carts: the same seed gives the same predictions, another seed other ones', async () => {
  const { X, y, testX } = benchmarkSplit(3, 60, 20);
  const predict = async (seed: number): Promise<number[]> => {
    const carts = new CartsEnsemble({ seed, trees: 20 });
    await carts.fit(X, y);
    return carts.predict(testX);
  };
  const first = await predict(11);
  assert.deepEqual(await predict(11), first);
  assert.notDeepEqual(await predict(12), first);
});

test('carts averages trees that each fit the training data closely', async () => {
  const { X, y } = benchmarkSplit(4, 40, 0);
  const carts = new CartsEnsemble({ seed: 1, trees: 10 });
  await carts.fit(X, y);
  // Fully grown trees on random feature subsets: exact only where the subset separates the points, so
  // the in-sample ranking is strong but not perfect.
  assert.ok(kendallTau(carts.predict(X), y) > 0.8);
  assert.throws(() => new CartsEnsemble({ seed: 1, trees: 0 }), /trees must be a positive integer/);
});
