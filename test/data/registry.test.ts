import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError } from '../../src/data/errors.ts';
import { loadDataset } from '../../src/data/registry.ts';
import type { LoadOptions } from '../../src/data/registry.ts';
import { tempDir } from './temp-dir.ts';

test('an unknown dataset name lists the allowed ones', () => {
  assert.throws(
    () => loadDataset('mnist', { split: 'train' }),
    (error: unknown) => error instanceof DatasetError && error.message === 'unknown dataset "mnist"; allowed: cifar10, cifar100, synthetic, imagefolder',
  );
});

test('an unknown split is refused', () => {
  assert.throws(() => loadDataset('synthetic', { split: 'val' } as unknown as LoadOptions), /unknown split "val"; allowed: train, test/);
});

test('synthetic train and test splits are different draws of the same classes', () => {
  const options = { seed: 3, size: 30, resolution: 16 };
  const train = loadDataset('synthetic', { ...options, split: 'train' });
  const again = loadDataset('synthetic', { ...options, split: 'train' });
  const test = loadDataset('synthetic', { ...options, split: 'test' });
  assert.deepEqual(train.images, again.images);
  assert.notDeepEqual(train.images, test.images);
  assert.deepEqual([test.size, test.height, test.classes], [30, 16, 10]);
});

test('file-based datasets need a directory and read it', () => {
  assert.throws(() => loadDataset('cifar10', { split: 'train' }), /cifar10: option dir is required/);
  const dir = tempDir();
  const record = Buffer.alloc(3073, 9);
  record[0] = 6;
  writeFileSync(join(dir, 'test_batch.bin'), record);
  const data = loadDataset('cifar10', { split: 'test', dir });
  assert.deepEqual([data.name, data.size, data.labels[0], data.images[0]], ['cifar10', 1, 6, 9]);
  assert.throws(() => loadDataset('cifar100', { split: 'test', dir }), /no test files/);
});
