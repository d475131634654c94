import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kriging } from '../../src/predictors/kriging.ts';
import { kendallTau } from '../../src/predictors/metrics.ts';
import { benchmarkSplit } from './benchmark-function.ts';

test('gp ranks held-out points of the 45-gene benchmark with tau >= 0.7', async () => {
  const { X, y, testX, testY } = benchmarkSplit(1);
  const gp = new Kriging();
  await gp.fit(X, y);
  assert.equal(gp.name, 'gp');
  assert.ok(kendallTau(gp.predict(testX), testY) >= 0.7);
  const theta = gp.theta as number;
  assert.ok(theta >= 1e-5 && theta <= 100, `theta ${theta} outside DACE's bounds`);
});

test('gp reproduces its training targets (the nugget is negligible)', async () => {
  const { X, y } = benchmarkSplit(2, 80, 0);
  const gp = new Kriging();
  await gp.fit(X, y);
  gp.predict(X).forEach((p, i) => assert.ok(Math.abs(p - y[i]) < 1e-4, `point ${i}: ${p} vs ${y[i]}`));
});

test('gp copes with a gene that never varies in the training data', async () => {
  const { X, y, testX, testY } = benchmarkSplit(1, 100, 50);
  const frozen = (rows: number[][]): number[][] => rows.map((row) => [...row.slice(0, -1), 8]);
  const gp = new Kriging();
  await gp.fit(frozen(X), y);
  assert.ok(kendallTau(gp.predict(frozen(testX)), testY) > 0.5);
});

test('gp predicts the constant for constant targets', async () => {
  const X = [
    [0, 1],
    [1, 0],
    [2, 2],
    [1, 1],
  ];
  const gp = new Kriging();
  await gp.fit(X, [5, 5, 5, 5]);
  gp.predict([[0, 0], [2, 1]]).forEach((p) => assert.ok(Math.abs(p - 5) < 1e-9));
});
