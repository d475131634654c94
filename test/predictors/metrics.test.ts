import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averageRanks, kendallTau, rmse, spearmanRho, surrogateQuality } from '../../src/predictors/metrics.ts';

const close = (actual: number, expected: number, tolerance = 1e-12): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);

test('rmse is the root of the mean squared difference, element by element', () => {
  // Differences 1, -2, 0, 3: squares sum to 14 over 4 points.
  close(rmse([2, 0, 3, 7], [1, 2, 3, 4]), Math.sqrt(14 / 4));
  assert.equal(rmse([5, 5], [5, 5]), 0);
});

test('average ranks share tied positions', () => {
  assert.deepEqual(averageRanks([10, 20, 20, 5, 20]), [2, 4, 4, 1, 4]);
});

test('perfect and reversed orderings give +1 and -1', () => {
  const a = [1, 2, 3, 4, 5];
  const monotone = [0.1, 0.5, 2, 30, 31];
  close(spearmanRho(monotone, a), 1);
  close(kendallTau(monotone, a), 1);
  close(spearmanRho([...monotone].reverse(), a), -1);
  close(kendallTau([...monotone].reverse(), a), -1);
});

test('kendall tau-b and spearman rho handle ties (hand-computed)', () => {
  const x = [1, 2, 2, 3];
  const y = [1, 3, 2, 4];
  // 6 pairs: 5 concordant, 1 tied in x only; tau-b = 5 / sqrt((6 - 1) * 6).
  close(kendallTau(x, y), 5 / Math.sqrt(30));
  // Ranks of x: 1, 2.5, 2.5, 4 against 1, 3, 2, 4: Pearson gives 4.5 / sqrt(4.5 * 5).
  close(spearmanRho(x, y), 4.5 / Math.sqrt(4.5 * 5));
});

test('kendall tau-b on a hand-counted mixed case', () => {
  const x = [1, 2, 3, 4, 5];
  const y = [3, 1, 2, 5, 4];
  // Concordant 7, discordant 3 over 10 pairs, no ties.
  close(kendallTau(x, y), 0.4);
  // Rank differences -2, 1, 1, -1, 1: rho = 1 - 6 * 8 / (5 * 24).
  close(spearmanRho(x, y), 0.6);
});

test('constant inputs make the rank correlations undefined', () => {
  assert.ok(Number.isNaN(kendallTau([1, 1, 1], [1, 2, 3])));
  assert.ok(Number.isNaN(spearmanRho([1, 2, 3], [4, 4, 4])));
  assert.ok(Number.isNaN(kendallTau([1], [2])));
  assert.ok(Number.isNaN(rmse([], [])));
});

test('surrogateQuality bundles the three metrics and rejects mismatched lengths', () => {
  const quality = surrogateQuality([1, 2, 3], [1, 2, 4]);
  close(quality.rmse, Math.sqrt(1 / 3));
  close(quality.rho, 1);
  close(quality.tau, 1);
  assert.throws(() => surrogateQuality([1, 2], [1, 2, 3]), /differ in length: 2 vs 3/);
});
