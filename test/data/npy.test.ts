import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError } from '../../src/data/errors.ts';
import { CIFAR10C_CORRUPTIONS, parseNpy, readCifar10C, readNpy } from '../../src/data/npy.ts';
import { tempDir } from './temp-dir.ts';

interface NpyOptions {
  version?: 1 | 2 | 3;
  fortran?: boolean;
  /** Replaces the whole header dict. */
  header?: string;
}

/** A .npy file as numpy writes it: magic, version, header length, the dict padded with spaces to a multiple of 64 bytes ending in a newline, data. */
function npy(descr: string, shape: readonly number[], data: Uint8Array, options: NpyOptions = {}): Buffer {
  const version = options.version ?? 1;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = options.header ?? `{'descr': '${descr}', 'fortran_order': ${options.fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const prefix = version === 1 ? 10 : 12;
  const padded = dict + ' '.repeat(63 - ((prefix + dict.length) % 64)) + '\n';
  const lengthField = Buffer.alloc(version === 1 ? 2 : 4);
  if (version === 1) lengthField.writeUInt16LE(padded.length);
  else lengthField.writeUInt32LE(padded.length);
  return Buffer.concat([Buffer.from([0x93, ...Buffer.from('NUMPY'), version, 0]), lengthField, Buffer.from(padded, 'latin1'), data]);
}

function int64s(values: number[]): Uint8Array {
  return new Uint8Array(BigInt64Array.from(values, (v) => BigInt(v)).buffer);
}

function int32s(values: number[]): Uint8Array {
  return new Uint8Array(Int32Array.from(values).buffer);
}

test('reads uint8, int32 and int64 arrays with version 1 and 2 headers', () => {
  const bytes = Uint8Array.from({ length: 24 }, (_, i) => i * 10);
  const u8 = parseNpy(npy('|u1', [2, 3, 4], bytes), 'a.npy');
  assert.equal(u8.dtype, 'uint8');
  assert.deepEqual(u8.shape, [2, 3, 4]);
  assert.deepEqual(u8.data, bytes);
  const i32 = parseNpy(npy('<i4', [3], int32s([-1, 7, 2 ** 31 - 1]), { version: 2 }), 'b.npy');
  assert.equal(i32.dtype, 'int32');
  assert.deepEqual(Array.from(i32.data), [-1, 7, 2 ** 31 - 1]);
  const i64 = parseNpy(npy('<i8', [2, 2], int64s([0, -5, 9, 2 ** 40])), 'c.npy');
  assert.equal(i64.dtype, 'int64');
  assert.deepEqual(i64.shape, [2, 2]);
  assert.deepEqual(Array.from(i64.data, Number), [0, -5, 9, 2 ** 40]);
  // An unaligned copy of the file still parses: elements are read byte-wise.
  const file = npy('<i8', [1], int64s([42]));
  const shifted = new Uint8Array(file.length + 1);
  shifted.set(file, 1);
  assert.deepEqual(Array.from(parseNpy(shifted.subarray(1), 'd.npy').data, Number), [42]);
});

test('rejects what it cannot read, naming the file and the problem', () => {
  const good = npy('|u1', [2, 3], new Uint8Array(6));
  const cases: [string, Uint8Array, RegExp][] = [
    ['truncated data', good.subarray(0, good.length - 1), /x\.npy: truncated: 5 data bytes, expected 6 for shape \(2, 3\) of \|u1/],
    ['extra bytes', Buffer.concat([good, Buffer.from([1, 2])]), /2 bytes after the data of shape \(2, 3\)/],
    ['truncated header', good.subarray(0, 40), /truncated header/],
    ['bad magic', Buffer.concat([Buffer.from('PK'), good.subarray(2)]), /not a \.npy file/],
    ['version 3', npy('|u1', [1], new Uint8Array(1), { version: 3 }), /version 3\.0 is not supported/],
    ['float dtype', npy('<f4', [1], new Uint8Array(4)), /dtype '<f4' is not supported \(\|u1, <u1, <i4, <i8\)/],
    ['big-endian', npy('>i8', [1], new Uint8Array(8)), /dtype '>i8' is not supported/],
    ['Fortran order', npy('|u1', [2, 3], new Uint8Array(6), { fortran: true }), /Fortran-order/],
    ['missing key', npy('', [], new Uint8Array(1), { header: "{'descr': '|u1', 'shape': (1,), }" }), /header has keys descr, shape, expected descr, fortran_order, shape/],
    ['not a dict', npy('', [], new Uint8Array(1), { header: "descr='|u1'" }), /malformed header/],
    ['bad shape', npy('', [], new Uint8Array(1), { header: "{'descr': '|u1', 'fortran_order': False, 'shape': (1, x), }" }), /shape \(1, x\) is not a tuple of whole numbers/],
  ];
  for (const [what, bytes, message] of cases) {
    assert.throws(() => parseNpy(bytes, 'x.npy'), (e: Error) => e instanceof DatasetError && message.test(e.message), what);
  }
  assert.throws(() => readNpy('/nonexistent/x.npy'), /\/nonexistent\/x\.npy: file not found/);
});

const IMAGE_BYTES = 32 * 32 * 3;
const TOTAL = 50000;

/** A full-size corruption file whose image i is filled with the byte i % 251. */
function corruptionFile(): Buffer {
  const data = Buffer.alloc(TOTAL * IMAGE_BYTES);
  for (let i = 0; i < TOTAL; i++) data.fill(i % 251, i * IMAGE_BYTES, (i + 1) * IMAGE_BYTES);
  return npy('|u1', [TOTAL, 32, 32, 3], data);
}

const labels = Array.from({ length: TOTAL }, (_, i) => (i * 7) % 10);

test('readCifar10C returns the 10000 images and labels of one severity', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'fog.npy'), corruptionFile());
  writeFileSync(join(dir, 'labels.npy'), npy('|u1', [TOTAL], Uint8Array.from(labels)));
  const set = readCifar10C(dir, 'fog', 3);
  assert.deepEqual([set.name, set.size, set.height, set.width, set.channels, set.classes], ['cifar10-c/fog/3', 10000, 32, 32, 3, 10]);
  assert.equal(set.classNames[0], 'airplane');
  assert.equal(set.images.length, 10000 * IMAGE_BYTES);
  for (const i of [0, 1, 9999]) {
    assert.ok(set.images.subarray(i * IMAGE_BYTES, (i + 1) * IMAGE_BYTES).every((b) => b === (20000 + i) % 251), `image ${i}`);
    assert.equal(set.labels[i], labels[20000 + i]);
  }
  // int64 labels (as torchvision-style exports write them), from the CIFAR-10-C sub-folder.
  const nested = join(tempDir(), 'CIFAR-10-C');
  mkdirSync(nested);
  writeFileSync(join(nested, 'fog.npy'), corruptionFile());
  writeFileSync(join(nested, 'labels.npy'), npy('<i8', [TOTAL], int64s(labels)));
  const fifth = readCifar10C(join(nested, '..'), 'fog', 5);
  assert.deepEqual(Array.from(fifth.labels.subarray(0, 5)), labels.slice(40000, 40005));
  assert.equal(fifth.images[0], 40000 % 251);
});

test('readCifar10C errors name the files, shapes and allowed values', () => {
  const dir = tempDir();
  assert.throws(() => readCifar10C(join(dir, 'missing'), 'fog', 1), /cifar10-c: directory .*missing does not exist; put the CIFAR-10-C \.npy files in/);
  assert.throws(() => readCifar10C(dir, 'fog', 1), /cifar10-c: fog\.npy and labels\.npy not found in .*; expected fog\.npy and labels\.npy\. put .*CIFAR-10-C\.tar$/);
  assert.throws(() => readCifar10C(dir, 'rain', 1), new RegExp(`unknown corruption "rain"; allowed: ${CIFAR10C_CORRUPTIONS.join(', ')}`));
  assert.throws(() => readCifar10C(dir, 'fog', 6), /severity 6 is not one of 1, 2, 3, 4, 5/);
  writeFileSync(join(dir, 'labels.npy'), npy('|u1', [TOTAL], Uint8Array.from(labels)));
  assert.throws(() => readCifar10C(dir, 'fog', 1), /fog\.npy not found/);
  writeFileSync(join(dir, 'fog.npy'), npy('|u1', [10000, 32, 32, 3], new Uint8Array(10000 * IMAGE_BYTES)));
  assert.throws(() => readCifar10C(dir, 'fog', 1), /fog\.npy: shape \(10000, 32, 32, 3\), expected \(50000, 32, 32, 3\)/);
  writeFileSync(join(dir, 'snow.npy'), npy('<i4', [2], new Uint8Array(8)));
  assert.throws(() => readCifar10C(dir, 'snow', 1), /snow\.npy: dtype int32, expected uint8/);
  writeFileSync(join(dir, 'frost.npy'), corruptionFile());
  writeFileSync(join(dir, 'labels.npy'), npy('<i4', [10000], int32s(labels.slice(0, 10000))));
  assert.throws(() => readCifar10C(dir, 'frost', 1), /labels\.npy: shape \(10000,\), expected \(50000,\)/);
  writeFileSync(join(dir, 'labels.npy'), npy('<i4', [TOTAL], int32s(labels.map((l, i) => (i === 12 ? 10 : l)))));
  assert.throws(() => readCifar10C(dir, 'frost', 1), /labels\.npy: label 10 at index 12 is outside \[0, 10\)/);
});
