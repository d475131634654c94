import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CubicRbf } from '../../src/predictors/rbf.ts';
import { kendallTau } from '../../src/predictors/metrics.ts';
import { Prng } from '../../src/util/prng.ts';
import { benchmarkSplit, smoothBenchmark } from './benchmark-function.ts';

test('rbf ranks held-out points of the 45-gene benchmark with tau >= 0.7', async () => {
  const { X, y, testX, testY } = benchmarkSplit(1);
  const rbf = new CubicRbf();
  await rbf.fit(X, y);
  assert.equal(rbf.name, 'rbf');
  assert.ok(kendallTau(rbf.predict(testX), testY) >= 0.7);
});

test('rbf interpolates its training points and reproduces a linear function exactly', async () => {
  const prng = new Prng(3);
  const X = Array.from({ length: 20 }, () => Array.from({ length: 4 }, () => prng.int(5)));
  const linear = (x: number[]): number => 2 + x[0] - 3 * x[1] + 0.5 * x[3];
  const rbf = new CubicRbf();
  await rbf.fit(X, X.map(linear));
  const query = [
    [0.5, 1, 2, 3],
    [4, 4, 0, 1],
  ];
  rbf.predict(query).forEach((p, i) => assert.ok(Math.abs(p - linear(query[i])) < 1e-6));
});

test('rbf copes with a gene that never varies in the training data', async () => {
  const { X, y, testX, testY } = benchmarkSplit(1, 100, 50);
  const frozen = (rows: number[][]): number[][] => rows.map((row) => [...row.slice(0, -1), 8]);
  const rbf = new CubicRbf();
  await rbf.fit(frozen(X), y);
  assert.ok(kendallTau(rbf.predict(frozen(testX)), testY) > 0.5);
});

test('rbf needs nvar + 1 points and says so', async () => {
  const X = [
    [0, 1, 2],
    [1, 1, 0],
    [2, 0, 1],
  ];
  await assert.rejects(new CubicRbf().fit(X, [1, 2, 3]), /at least nvar \+ 1 = 4 training points for 3 variables, got 3/);
  assert.throws(() => new CubicRbf().predict(X), /predict called before fit/);
});

test('rbf fits 300 x 46 and predicts 10,000 points quickly', async () => {
  const problem = smoothBenchmark(2, 46);
  const prng = new Prng(4);
  const X = problem.sample(300, prng);
  const queries = problem.sample(10_000, prng);
  const rbf = new CubicRbf();
  const start = performance.now();
  await rbf.fit(X, X.map(problem.evaluate));
  const predictions = rbf.predict(queries);
  const elapsed = performance.now() - start;
  assert.equal(predictions.length, 10_000);
  // Typically ~0.2 s; the bound leaves room for a loaded CI machine.
  assert.ok(elapsed < 2000, `took ${elapsed.toFixed(0)} ms`);
});
