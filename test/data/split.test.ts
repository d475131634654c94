import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classCounts } from '../../src/data/dataset.ts';
import type { Dataset } from '../../src/data/dataset.ts';
import { splitDataset } from '../../src/data/split.ts';
import { makeDataset } from './fixtures.ts';

/** 100 images: class 0 has 50, class 1 has 30, class 2 has 20; image i holds byte i everywhere. */
const data = makeDataset(100, 2, 2, (i) => (i < 50 ? 0 : i < 80 ? 1 : 2), (i) => i, 3);

function ids(part: Dataset): number[] {
  return Array.from({ length: part.size }, (_, i) => part.images[i * 12]);
}

test('stratified split keeps each class share and covers every image once', () => {
  const { train, validation } = splitDataset(data, { validationFraction: 0.2, seed: 1 });
  assert.equal(validation.size, 20);
  assert.equal(train.size, 80);
  assert.deepEqual(classCounts(validation), [10, 6, 4]);
  assert.deepEqual(classCounts(train), [40, 24, 16]);
  assert.deepEqual([...ids(train), ...ids(validation)].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual(ids(train), ids(train).slice().sort((a, b) => a - b), 'original order kept');
  train.labels.forEach((label, i) => assert.equal(label, data.labels[ids(train)[i]]));
});

test('uneven shares round to the requested total', () => {
  const { validation } = splitDataset(data, { validationFraction: 0.15, seed: 1 });
  assert.equal(validation.size, 15);
  const counts = classCounts(validation);
  [7.5, 4.5, 3].forEach((share, c) => assert.ok(Math.abs(counts[c] - share) < 1, `class ${c}: ${counts[c]}`));
});

test('the split is seeded', () => {
  const a = ids(splitDataset(data, { validationFraction: 0.3, seed: 9 }).validation);
  assert.deepEqual(ids(splitDataset(data, { validationFraction: 0.3, seed: 9 }).validation), a);
  assert.notDeepEqual(ids(splitDataset(data, { validationFraction: 0.3, seed: 10 }).validation), a);
});

test('an unstratified split has the requested size', () => {
  const { train, validation } = splitDataset(data, { validationFraction: 0.33, seed: 2, stratified: false });
  assert.deepEqual([train.size, validation.size], [67, 33]);
});

test('a fraction outside (0, 1) is refused', () => {
  assert.throws(() => splitDataset(data, { validationFraction: 1 }), /validationFraction: 1 is not in \(0, 1\)/);
  assert.throws(() => splitDataset(data, { validationFraction: 0 }), /validationFraction/);
});
