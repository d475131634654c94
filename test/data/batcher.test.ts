import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Batcher } from '../../src/data/batcher.ts';
import type { Batch } from '../../src/data/batcher.ts';
import { DatasetError } from '../../src/data/errors.ts';
import { assertClose, makeDataset, normalised } from './fixtures.ts';

/** Image i is filled with byte i*10+c in channel c; label i % 10. The first pixel tells which image it is. */
const data = makeDataset(23, 4, 4, (i) => i % 10, (i, _y, _x, c) => i * 10 + c);

function imageIndex(batch: Batch, slot: number): number {
  const first = batch.images[slot * 4 * 4 * 3];
  return Math.round(((first * data.std[0] + data.mean[0]) * 255) / 10);
}

function order(batches: Iterable<Batch>): number[] {
  return [...batches].flatMap((batch) => Array.from({ length: batch.size }, (_, slot) => imageIndex(batch, slot)));
}

test('batches hold normalised NHWC floats and int32 labels', () => {
  const [batch] = new Batcher(data, { batchSize: 5, shuffle: false }).epoch(0);
  assert.ok(batch.images instanceof Float32Array && batch.labels instanceof Int32Array);
  assert.deepEqual([batch.size, batch.height, batch.width, batch.channels], [5, 4, 4, 3]);
  assert.equal(batch.images.length, 5 * 4 * 4 * 3);
  assert.deepEqual([...batch.labels], [0, 1, 2, 3, 4]);
  const image3 = batch.images.subarray(3 * 48, 4 * 48);
  assertClose(image3, Array.from({ length: 48 }, (_, k) => normalised(data, 30 + (k % 3), k % 3)));
});

test('an epoch visits every image once; the last batch is short unless dropped', () => {
  const batcher = new Batcher(data, { batchSize: 5, seed: 1 });
  const batches = [...batcher.epoch(0)];
  assert.equal(batcher.batchesPerEpoch, 5);
  assert.deepEqual(batches.map((b) => b.size), [5, 5, 5, 5, 3]);
  assert.deepEqual(order(batches).sort((a, b) => a - b), Array.from({ length: 23 }, (_, i) => i));
  batches.forEach((batch) => batch.labels.forEach((label, slot) => assert.equal(label, imageIndex(batch, slot) % 10)));
  const dropping = new Batcher(data, { batchSize: 5, seed: 1, dropLast: true });
  assert.equal(dropping.batchesPerEpoch, 4);
  assert.deepEqual([...dropping.epoch(0)].map((b) => b.size), [5, 5, 5, 5]);
});

test('shuffling is seeded per epoch and can be switched off', () => {
  const batcher = new Batcher(data, { batchSize: 8, seed: 4 });
  const first = order(batcher.epoch(0));
  assert.deepEqual(order(new Batcher(data, { batchSize: 8, seed: 4 }).epoch(0)), first, 'same seed and epoch, same order');
  assert.notDeepEqual(order(batcher.epoch(1)), first, 'next epoch, new order');
  assert.notDeepEqual(order(new Batcher(data, { batchSize: 8, seed: 5 }).epoch(0)), first, 'other seed, other order');
  assert.notDeepEqual(first, Array.from({ length: 23 }, (_, i) => i));
  assert.deepEqual(order(new Batcher(data, { batchSize: 8, shuffle: false }).epoch(3)), Array.from({ length: 23 }, (_, i) => i));
});

test('resolution and augmentation shape the batch and stay reproducible', () => {
  const options = { batchSize: 6, seed: 2, augment: true, resolution: 7 };
  const [a] = new Batcher(data, options).epoch(0);
  const [b] = new Batcher(data, options).epoch(0);
  assert.deepEqual([a.height, a.width, a.images.length], [7, 7, 6 * 7 * 7 * 3]);
  assert.deepEqual(a.images, b.images);
});

test('bad options are refused', () => {
  assert.throws(() => new Batcher(data, { batchSize: 0 }), DatasetError);
  assert.throws(() => new Batcher(data, { batchSize: 4, resolution: -1 }), /resolution: -1 is not a positive integer/);
});
