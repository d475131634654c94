import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdaptiveSwitching } from '../../src/predictors/adaptive-switching.ts';
import { createSurrogate } from '../../src/predictors/create-surrogate.ts';
import { SURROGATE_KINDS } from '../../src/predictors/surrogate.ts';

test('every kind builds a surrogate with the expected name', () => {
  const names = SURROGATE_KINDS.map((kind) => createSurrogate(kind, { seed: 1 }).name);
  assert.deepEqual(names, ['rbf', 'carts', 'gp', 'mlp', 'adaptive switching']);
  assert.ok(createSurrogate('as', { seed: 1 }) instanceof AdaptiveSwitching);
});

test('an unknown kind is rejected with the list of allowed kinds', () => {
  assert.throws(() => createSurrogate('svm', { seed: 1 }), {
    message: "unknown surrogate kind 'svm'; expected one of: rbf, carts, gp, mlp, as",
  });
});

test('options reach the model they belong to', () => {
  assert.throws(() => createSurrogate('carts', { seed: 1, trees: -1 }), /trees must be a positive integer/);
  assert.throws(() => createSurrogate('mlp', { seed: 1, epochs: 1.5 }), /epochs must be a positive integer/);
  assert.throws(() => createSurrogate('as', { seed: 1, folds: 1 }), /folds must be an integer >= 2/);
});
