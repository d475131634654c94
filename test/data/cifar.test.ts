import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCifar10, readCifar100 } from '../../src/data/cifar.ts';
import { DatasetError } from '../../src/data/errors.ts';
import { tempDir } from './temp-dir.ts';

const PIXELS = 1024;

/** Record pixel: plane c, position p -> a value that encodes all three, so misplaced bytes show. */
function pixel(record: number, c: number, p: number): number {
  return (record * 31 + c * 101 + p * 7) % 256;
}

function records(labels: number[][]): Buffer {
  const labelBytes = labels[0].length;
  const bytes = Buffer.alloc(labels.length * (labelBytes + 3 * PIXELS));
  labels.forEach((recordLabels, r) => {
    const offset = r * (labelBytes + 3 * PIXELS);
    bytes.set(recordLabels, offset);
    for (let c = 0; c < 3; c++) for (let p = 0; p < PIXELS; p++) bytes[offset + labelBytes + c * PIXELS + p] = pixel(r, c, p);
  });
  return bytes;
}

test('CIFAR-10 planes become HWC pixels with their labels', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'data_batch_1.bin'), records([[3], [0], [9]]));
  const data = readCifar10(dir, 'train');
  assert.equal(data.size, 3);
  assert.deepEqual([data.height, data.width, data.channels, data.classes], [32, 32, 3, 10]);
  assert.deepEqual([...data.labels], [3, 0, 9]);
  assert.equal(data.images.length, 3 * 32 * 32 * 3);
  for (const [r, y, x] of [[0, 0, 0], [1, 5, 17], [2, 31, 31]]) {
    const p = y * 32 + x;
    const at = ((r * 32 + y) * 32 + x) * 3;
    assert.deepEqual([...data.images.subarray(at, at + 3)], [pixel(r, 0, p), pixel(r, 1, p), pixel(r, 2, p)]);
  }
  assert.equal(data.classNames[3], 'cat');
  assert.deepEqual(data.mean, [0.49139968, 0.48215827, 0.44653124]);
});

test('CIFAR-10 reads the batches present, in order, from the usual sub-folder', () => {
  const dir = tempDir();
  const folder = join(dir, 'cifar-10-batches-bin');
  mkdirSync(folder);
  writeFileSync(join(folder, 'data_batch_4.bin'), records([[4]]));
  writeFileSync(join(folder, 'data_batch_2.bin'), records([[2], [2]]));
  writeFileSync(join(folder, 'test_batch.bin'), records([[7]]));
  assert.deepEqual([...readCifar10(dir, 'train').labels], [2, 2, 4]);
  assert.deepEqual([...readCifar10(dir, 'test').labels], [7]);
});

test('CIFAR-100 uses the fine label', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'train.bin'), records([[19, 99], [0, 42]]));
  const data = readCifar100(dir, 'train');
  assert.deepEqual([...data.labels], [99, 42]);
  assert.equal(data.classes, 100);
  assert.equal(data.classNames[99], 'worm');
  assert.equal(data.images[3072 + 3 * 1 + 2], pixel(1, 2, 1), 'second record, pixel (0, 1), blue');
});

test('a truncated file is reported with its name and size', () => {
  const dir = tempDir();
  const file = join(dir, 'data_batch_1.bin');
  writeFileSync(file, records([[1], [2]]).subarray(0, 3073 + 100));
  assert.throws(() => readCifar10(dir, 'train'), (error: unknown) => {
    assert.ok(error instanceof DatasetError);
    assert.match(error.message, /data_batch_1\.bin: corrupt or truncated: 3173 bytes is not a multiple of 3073/);
    return true;
  });
});

test('a missing directory or missing files say where the files go', () => {
  const dir = tempDir();
  assert.throws(() => readCifar10(join(dir, 'nope'), 'train'), (error: unknown) => error instanceof DatasetError && /does not exist.*data_batch_1\.bin/.test(error.message));
  assert.throws(() => readCifar10(dir, 'test'), /no test files in .*expected test_batch\.bin/);
  assert.throws(() => readCifar10(dir, 'train'), /expected any of data_batch_1\.bin, data_batch_2\.bin, .*data_batch_5\.bin/);
  assert.throws(() => readCifar100(dir, 'train'), /cifar-100-binary.*expected train\.bin/);
});

test('labels out of range are reported with file and record', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'test_batch.bin'), records([[1], [10]]));
  assert.throws(() => readCifar10(dir, 'test'), /test_batch\.bin: record 1 has label 10, outside \[0, 10\)/);
  writeFileSync(join(dir, 'test.bin'), records([[5, 100]]));
  assert.throws(() => readCifar100(dir, 'test'), /test\.bin: record 0 has fine label 100, outside \[0, 100\)/);
});
