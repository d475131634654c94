import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { Tensor2D } from '@tensorflow/tfjs';
import { initWasmBackend } from '../../src/nn/backend/wasm-setup.ts';
import { balancedBceWeights, energyLoss, normalisedConfidenceTensor, supportLoss } from '../../src/nn/exits/bernulli-loss.ts';
import { expectedCalibrationError } from '../../src/nn/exits/calibration.ts';
import { cumulativeEvaluator, EPSILON_GRID, gridEpsilon, repairEpsilon, tuneEpsilon } from '../../src/nn/exits/epsilon.ts';
import { cumulativeConfidences, cumulativeExits, exitOutcome, normalisedConfidences, scoreMarginExits, scoreMargins } from '../../src/nn/exits/rules.ts';
import { SupportSelector, supportMatrix } from '../../src/nn/exits/support.ts';
import { Prng } from '../../src/util/prng.ts';

const close = (actual: number, expected: number, what = 'value', tolerance = 1e-6) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);

const closeAll = (actual: ArrayLike<number>, expected: readonly number[], what: string, tolerance = 1e-6) => {
  assert.equal(actual.length, expected.length, `${what}: length`);
  expected.forEach((e, i) => close(actual[i], e, `${what}[${i}]`, tolerance));
};

describe('exit rules', () => {
  test('score margin: softmax top-1 minus top-2, first exit reaching its threshold, the final exit takes the rest', () => {
    // 3 classes, 4 samples per exit.
    const exit0 = scoreMargins([0.8, 0.1, 0.1, 0.5, 0.3, 0.2, 0.2, 0.2, 0.6, 0.34, 0.33, 0.33], 3);
    const exit1 = scoreMargins([0.4, 0.35, 0.25, 0.1, 0.85, 0.05, 0.1, 0.7, 0.2, 0.2, 0.5, 0.3], 3);
    closeAll(exit0, [0.7, 0.2, 0.4, 0.01], 'margins of exit 0');
    closeAll(exit1, [0.05, 0.75, 0.5, 0.2], 'margins of exit 1');
    const final = new Float32Array(4);
    assert.deepEqual(Array.from(scoreMarginExits([exit0, exit1, final], [0.3, 0.5, 1])), [0, 1, 0, 2]);
    // A threshold equal to the margin exits (>=); the final exit's threshold is never consulted.
    assert.deepEqual(Array.from(scoreMarginExits([[0.25], [0], [0]], [0.25, 0.5, 2])), [0]);
    assert.deepEqual(Array.from(scoreMarginExits([[0.1], [0.1], [0]], [0.25, 0.5, 2])), [2]);
    assert.throws(() => scoreMarginExits([exit0, exit1], [0.3]), /2 exits/);
  });

  test('cumulative: b~_i = b_i prod_{j<i} (1 - b_j), c_i their running sum, first exit with c_i >= eps_i', () => {
    const b = [
      [0.5, 0.2, 0.9],
      [0.4, 0.5, 0.05],
      [1, 1, 1],
    ];
    const normalised = normalisedConfidences(b);
    closeAll(normalised[0], [0.5, 0.2, 0.9], 'b~0');
    closeAll(normalised[1], [0.2, 0.4, 0.005], 'b~1');
    closeAll(normalised[2], [0.3, 0.4, 0.095], 'b~2');
    const c = cumulativeConfidences(b);
    closeAll(c[1], [0.7, 0.6, 0.905], 'c1');
    closeAll(c[2], [1, 1, 1], 'c2');
    // Sample 0: c0 0.5 < 0.7, c1 0.7 >= 0.6. Sample 1: c1 0.6 >= 0.6. Sample 2: c0 0.9 >= 0.7.
    assert.deepEqual(Array.from(cumulativeExits(b, [0.7, 0.6, 0.6])), [1, 1, 0]);
    assert.deepEqual(Array.from(cumulativeExits(b, [0.95, 0.95, 0.95])), [2, 2, 2]);
  });

  test('exit outcome: ratios sum to 1, global accuracy at the exit taken, per-branch accuracy (0 for an empty branch)', () => {
    const taken = Int32Array.of(0, 0, 2, 2, 2);
    const correct = [Uint8Array.of(1, 0, 1, 1, 1), Uint8Array.of(1, 1, 1, 1, 1), Uint8Array.of(0, 0, 1, 0, 1)];
    const outcome = exitOutcome(taken, correct);
    closeAll(outcome.ratios, [0.4, 0, 0.6], 'ratios');
    close(outcome.ratios.reduce((a, b) => a + b, 0), 1, 'ratio sum');
    close(outcome.accuracy, 3 / 5, 'global');
    closeAll(outcome.branchScores, [0.5, 0, 2 / 3], 'branch scores');
    assert.throws(() => exitOutcome(Int32Array.of(3), [[1], [1]]), /left at exit 3/);
  });

  test('ECE: 30 equal-width bins of the top softmax probability', () => {
    // Bin of 0.95: accuracy 0.5; bin of 0.55: accuracy 1; each holds half the samples.
    const confidence = [0.95, 0.95, 0.55, 0.55];
    const correct = [1, 0, 1, 1];
    close(expectedCalibrationError(confidence, correct), 0.5 * 0.45 + 0.5 * 0.45, 'ece');
    // With one bin the over- and under-confidence cancel.
    close(expectedCalibrationError(confidence, correct, 1), 0, 'one bin');
    close(expectedCalibrationError([0.5, 0.5], [1, 1]), 0.5, 'under-confident');
    assert.throws(() => expectedCalibrationError([1.5], [1]), /outside \[0, 1\]/);
  });
});

/** Three exits with b0 = 0 (exit 0 never taken), so only b1 decides; costs in millions. */
function threeExitCase(b1: number[], right1: number[], rightFinal: number[], costs = [1, 2, 10]) {
  const n = b1.length;
  return cumulativeEvaluator({
    confidences: [new Float32Array(n), Float32Array.from(b1), new Float32Array(n).fill(1)],
    correct: [new Uint8Array(n), Uint8Array.from(right1), Uint8Array.from(rightFinal)],
    costs,
  });
}

describe('threshold tuning and repair', () => {
  test('grid vectors keep the first exit at 0.7 or more', () => {
    assert.deepEqual(gridEpsilon(0.3, 3), [0.7, 0.3, 0.3]);
    assert.deepEqual(gridEpsilon(0.8, 2), [0.8, 0.8]);
    assert.deepEqual(EPSILON_GRID, [0.1, 0.2, 0.3, 0.5, 0.6, 0.7, 0.8]);
  });

  test('tuning picks the grid point with the best global accuracy', () => {
    // A (b1 0.55) is right only at exit 1: needs e <= 0.55. B (0.25) and C (0.45) are right only at the final
    // exit: need e > 0.45. Only e = 0.5 gets all three.
    const evaluate = threeExitCase([0.55, 0.25, 0.45], [1, 0, 0], [0, 1, 1]);
    const best = tuneEpsilon(evaluate, 3);
    assert.deepEqual(best.epsilon, [0.7, 0.5, 0.5]);
    close(best.accuracy, 1, 'accuracy');
    closeAll(best.ratios, [0, 1 / 3, 2 / 3], 'ratios');
    close(best.avgMacs, (1 / 3) * 2 + (2 / 3) * 10, 'avg macs');
    // Ties go to the first grid point.
    assert.deepEqual(tuneEpsilon(threeExitCase([0.5], [1], [1]), 3).epsilon, [0.7, 0.1, 0.1]);
  });

  // s1 (b1 0.45) and s2 (0.35) are right at exit 1 too, s3 (0.05) only at the final exit, s4 (0.9) leaves at 1.
  const repairCase = () => threeExitCase([0.45, 0.35, 0.05, 0.9], [1, 1, 0, 1], [1, 1, 1, 1]);

  test('repair lowers the second-to-last threshold in 0.1 steps until avg_macs meets mmax', () => {
    const evaluate = repairCase();
    const start = evaluate([0.7, 0.5, 0.5]);
    close(start.avgMacs, 0.25 * 2 + 0.75 * 10, 'start');
    const six = repairEpsilon(evaluate, start, { mmax: 6, top1min: 0.9 });
    assert.deepEqual(six.epsilon, [0.7, 0.4, 0.5]);
    close(six.avgMacs, 6, 'avg macs at mmax 6');
    const four = repairEpsilon(evaluate, start, { mmax: 4, top1min: 0.9 });
    assert.deepEqual(four.epsilon, [0.7, 0.3, 0.5]);
    close(four.avgMacs, 4, 'avg macs at mmax 4');
    close(four.accuracy, 1, 'accuracy kept');
    // The starting vector is not touched (CNAS lowered the list it meant to keep).
    assert.deepEqual(start.epsilon, [0.7, 0.5, 0.5]);
    // Nothing to do when the limit is met, or when the network is not accurate enough to repair.
    assert.equal(repairEpsilon(evaluate, start, { mmax: 9, top1min: 0.9 }), start);
    const inaccurate = threeExitCase([0.9, 0.1], [0, 0], [0, 1])([0.7, 0.5, 0.5]);
    assert.equal(repairEpsilon(threeExitCase([0.9, 0.1], [0, 0], [0, 1]), inaccurate, { mmax: 1, top1min: 0.9 }), inaccurate);
  });

  test('repair stops at 0.1 per exit and at exit 0 when the limit cannot be met, keeping the cheapest accepted state', () => {
    const evaluate = repairCase();
    const start = evaluate([0.7, 0.5, 0.5]);
    const result = repairEpsilon(evaluate, start, { mmax: 2.5, top1min: 0.9 });
    assert.deepEqual(result.epsilon, [0.1, 0.1, 0.5]);
    close(result.avgMacs, 4, 'avg macs');
    assert.ok(result.avgMacs > 2.5);
  });

  test('repair moves to the previous exit when a step would drop the accuracy below top1min', () => {
    // s3 (b1 0.15) is wrong at exit 1: lowering exit 1 to 0.1 would cost accuracy, so it stays at 0.2.
    const evaluate = threeExitCase([0.45, 0.35, 0.15, 0.9], [1, 1, 0, 1], [1, 1, 1, 1]);
    const result = repairEpsilon(evaluate, evaluate([0.7, 0.5, 0.5]), { mmax: 2.5, top1min: 1 });
    assert.deepEqual(result.epsilon, [0.1, 0.2, 0.5]);
    close(result.accuracy, 1, 'accuracy');
    assert.throws(() => repairEpsilon(evaluate, result, { mmax: 1, top1min: 70 }), /fraction/);
  });
});

describe('NACHOS loss terms', () => {
  before(() => initWasmBackend());

  test('the normalised confidences on tensors match the array rule', () => {
    const b = [
      [0.5, 0.4, 1],
      [0.2, 0.5, 1],
    ];
    const expected = normalisedConfidences([
      [0.5, 0.2],
      [0.4, 0.5],
      [1, 1],
    ]);
    const got = tf.tidy(() => normalisedConfidenceTensor(tf.tensor2d(b)).arraySync());
    got.forEach((row, n) => closeAll(row, expected.map((e) => e[n]), `sample ${n}`));
  });

  test('support loss compares each exit with its own support accuracy', () => {
    const value = tf.tidy(() => {
      const b = tf.tensor2d([
        [0.2, 1],
        [0.6, 1],
      ]);
      const support = tf.tensor2d([
        [0.5, 0.9],
        [0.1, 0.8],
      ]);
      return supportLoss(b, tf.tensor1d([0, 1], 'int32'), support).dataSync()[0];
    });
    // ((0.2-0.5)^2 + (1-0.9)^2)/2 = 0.05 and ((0.6-0.1)^2 + (1-0.8)^2)/2 = 0.145; CNAS's broadcast gave 0.21 for the first.
    close(value, (0.05 + 0.145) / 2, 'support loss');
  });

  test('support matrix: per-class accuracy of each exit, the subset mean for an absent class', () => {
    const matrix = supportMatrix([Uint8Array.of(1, 0, 0), Uint8Array.of(1, 1, 0)], [0, 0, 1], 3);
    closeAll(matrix, [0.5, 1, 0, 0, 1 / 3, 2 / 3], 'support');
  });

  test('the support subset is a class-balanced tenth', () => {
    const selector = new SupportSelector(2, new Prng(3));
    const taken = [0, 0];
    for (let n = 0; n < 200; n++) if (selector.take(n % 2)) taken[n % 2]++;
    assert.deepEqual(taken, [10, 10]);
  });

  test('class-balanced BCE weights per exit', () => {
    const w = balancedBceWeights([Uint8Array.of(1, 0, 0, 0), Uint8Array.of(1, 1, 0, 0)], 4);
    closeAll(w, [2, 1, 4 / 6, 1, 4 / 6, 1, 4 / 6, 1], 'weights');
  });

  test('the energy term has a gradient and is 0 when the final exit fits', () => {
    const costs = [1, 2, 10];
    const b = tf.tensor2d([
      [0.5, 0.5, 1],
      [0.1, 0.2, 1],
    ]);
    // b~ = [0.5, 0.25, 0.25] and [0.1, 0.18, 0.72]: expected MACs 3.5 and 7.66, mean 5.58.
    const value = tf.tidy(() => energyLoss(normalisedConfidenceTensor(b as Tensor2D), costs, 4).dataSync()[0]);
    close(value, (5.58 - 4) / 6, 'energy', 1e-5);
    const grad = tf.tidy(() => tf.grad((x: tf.Tensor) => energyLoss(normalisedConfidenceTensor(x as Tensor2D), costs, 4))(b).arraySync() as number[][]);
    // Raising an early confidence moves samples to cheaper exits: the gradient is negative there.
    assert.ok(grad[0][0] < 0 && grad[1][0] < 0, `gradient ${JSON.stringify(grad)}`);
    close(tf.tidy(() => energyLoss(normalisedConfidenceTensor(b as Tensor2D), costs, 10).dataSync()[0]), 0, 'fits');
    b.dispose();
  });
});
