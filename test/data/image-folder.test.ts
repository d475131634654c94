import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readImageFolder } from '../../src/data/image-folder.ts';
import { encodePng } from './png-encoder.ts';
import { tempDir } from './temp-dir.ts';

/** A solid-colour RGB PNG. */
function solid(width: number, height: number, rgb: [number, number, number]): Buffer {
  return encodePng(width, height, 2, Uint8Array.from({ length: width * height * 3 }, (_, k) => rgb[k % 3]));
}

function write(dir: string, path: string, bytes: Buffer | string): void {
  const file = join(dir, path);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, bytes);
}

test('reads class folders in sorted order from the split folder', () => {
  const dir = tempDir();
  write(dir, 'train/dog/b.png', solid(4, 3, [1, 2, 3]));
  write(dir, 'train/dog/a.png', solid(4, 3, [4, 5, 6]));
  write(dir, 'train/cat/x.png', solid(4, 3, [7, 8, 9]));
  write(dir, 'train/cat/notes.txt', 'skipped');
  write(dir, 'val/cat/y.png', solid(4, 3, [10, 11, 12]));
  const train = readImageFolder(dir, 'train');
  assert.deepEqual(train.classNames, ['cat', 'dog']);
  assert.deepEqual([train.size, train.height, train.width], [3, 3, 4]);
  assert.deepEqual([...train.labels], [0, 1, 1]);
  assert.deepEqual([0, 1, 2].map((i) => [...train.images.subarray(i * 36, i * 36 + 3)]), [[7, 8, 9], [4, 5, 6], [1, 2, 3]]);
  const test = readImageFolder(dir, 'test');
  assert.deepEqual([test.size, ...test.images.subarray(0, 3)], [1, 10, 11, 12]);
});

test('images of other sizes are resized to the first one or to the resolution asked for', () => {
  const dir = tempDir();
  write(dir, 'a/1.png', solid(4, 4, [0, 100, 200]));
  write(dir, 'b/2.png', solid(8, 6, [50, 60, 70]));
  const natural = readImageFolder(dir, 'train');
  assert.deepEqual([natural.height, natural.width], [4, 4]);
  assert.deepEqual([...natural.images.subarray(48, 51)], [50, 60, 70]);
  const resized = readImageFolder(dir, 'train', { resolution: 2 });
  assert.deepEqual([resized.height, resized.width, resized.images.length], [2, 2, 2 * 2 * 2 * 3]);
});

test('layout problems and JPEG files are reported', () => {
  const dir = tempDir();
  assert.throws(() => readImageFolder(join(dir, 'missing'), 'train'), /directory .*missing does not exist/);
  assert.throws(() => readImageFolder(dir, 'train'), /has no class sub-folders/);
  assert.throws(() => readImageFolder(dir, 'test'), /no test or val folder/);
  write(dir, 'cat/photo.JPG', 'not decoded');
  assert.throws(() => readImageFolder(dir, 'train'), /photo\.JPG: only PNG images can be read/);
  const other = tempDir();
  mkdirSync(join(other, 'empty'));
  assert.throws(() => readImageFolder(other, 'train'), /class folder .*empty has no \.png images/);
});
