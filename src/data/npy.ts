import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CIFAR10_CLASS_NAMES } from './cifar-classes.ts';
import { CORRUPTIONS, SEVERITIES } from './corruptions/names.ts';
import type { Dataset, Rgb } from './dataset.ts';
import { DatasetError } from './errors.ts';

export type NpyDtype = 'uint8' | 'int32' | 'int64';

/** A C-order array from a .npy file; int64 stays exact as BigInt64Array, uint8 data is a view of the file's bytes. */
export type NpyArray =
  | { readonly dtype: 'uint8'; readonly shape: readonly number[]; readonly data: Uint8Array }
  | { readonly dtype: 'int32'; readonly shape: readonly number[]; readonly data: Int32Array }
  | { readonly dtype: 'int64'; readonly shape: readonly number[]; readonly data: BigInt64Array };

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** The descr strings numpy writes for the supported dtypes ('<u1' is accepted too: one byte has no order). */
const DESCRS: Readonly<Record<string, { dtype: NpyDtype; bytes: number }>> = {
  '|u1': { dtype: 'uint8', bytes: 1 },
  '<u1': { dtype: 'uint8', bytes: 1 },
  '<i4': { dtype: 'int32', bytes: 4 },
  '<i8': { dtype: 'int64', bytes: 8 },
};

/**
 * Parses a .npy file (format versions 1 and 2: a Python dict literal header with descr, fortran_order and
 * shape). Only uint8, little-endian int32 and int64, C order; anything else, a malformed header or a data
 * length other than the shape's fails with a DatasetError naming `source`.
 */
export function parseNpy(bytes: Uint8Array, source: string): NpyArray {
  const fail = (problem: string): never => {
    throw new DatasetError(`${source}: ${problem}`);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail('not a .npy file (bad magic string)');
  const [major, minor] = [bytes[6], bytes[7]];
  if ((major !== 1 && major !== 2) || minor !== 0) fail(`.npy format version ${major}.${minor} is not supported (1.0 and 2.0 are)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) fail('truncated header');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (dataStart > bytes.length) fail(`truncated header: ${headerLength} header bytes announced, ${bytes.length - 8 - lengthBytes} present`);
  const header = parseHeader(Buffer.from(bytes.subarray(8 + lengthBytes, dataStart)).toString('latin1'), fail);
  const { dtype, bytes: itemBytes } = header.descr in DESCRS ? DESCRS[header.descr] : fail(`dtype '${header.descr}' is not supported (${Object.keys(DESCRS).join(', ')})`);
  if (header.fortranOrder) fail('Fortran-order arrays are not supported (save with C order)');
  const count = header.shape.reduce((a, b) => a * b, 1);
  const expected = count * itemBytes;
  const present = bytes.length - dataStart;
  if (present < expected) fail(`truncated: ${present} data bytes, expected ${expected} for shape ${formatShape(header.shape)} of ${header.descr}`);
  if (present > expected) fail(`${present - expected} bytes after the data of shape ${formatShape(header.shape)} of ${header.descr}`);
  const shape = header.shape;
  // Elements are read through a DataView: the buffer need not be aligned, and the file is little-endian on any host.
  switch (dtype) {
    case 'uint8':
      return { dtype, shape, data: new Uint8Array(bytes.buffer, bytes.byteOffset + dataStart, count) };
    case 'int32':
      return { dtype, shape, data: Int32Array.from({ length: count }, (_, i) => view.getInt32(dataStart + 4 * i, true)) };
    case 'int64':
      return { dtype, shape, data: BigInt64Array.from({ length: count }, (_, i) => view.getBigInt64(dataStart + 8 * i, true)) };
  }
}

/** Reads and parses a .npy file. */
export function readNpy(path: string): NpyArray {
  if (!existsSync(path)) throw new DatasetError(`${path}: file not found`);
  return parseNpy(readFileSync(path), path);
}

interface Header {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

/** The header dict, e.g. {'descr': '|u1', 'fortran_order': False, 'shape': (50000, 32, 32, 3), } padded with spaces and a newline. */
function parseHeader(text: string, fail: (problem: string) => never): Header {
  const body = /^\{(.*)\}\s*$/s.exec(text.replace(/\n$/, ''))?.[1] ?? fail(`malformed header ${JSON.stringify(text.trim())}`);
  const entries = new Map<string, string>();
  const entry = /\s*'(\w+)'\s*:\s*('[^']*'|True|False|\([^)]*\))\s*(,|$)/y;
  let at = 0;
  while (!/^\s*$/.test(body.slice(at))) {
    entry.lastIndex = at;
    const match = entry.exec(body) ?? fail(`malformed header ${JSON.stringify(text.trim())}`);
    if (entries.has(match[1])) fail(`header repeats key '${match[1]}'`);
    entries.set(match[1], match[2]);
    at = entry.lastIndex;
  }
  const keys = [...entries.keys()].sort().join(', ');
  if (keys !== 'descr, fortran_order, shape') fail(`header has keys ${keys || 'none'}, expected descr, fortran_order, shape`);
  const descr = entries.get('descr') as string;
  const shapeText = entries.get('shape') as string;
  if (!descr.startsWith("'")) fail(`descr ${descr} is not a string`);
  if (!/^\(\s*(\d+\s*,\s*)*(\d+\s*,?\s*)?\)$/.test(shapeText)) fail(`shape ${shapeText} is not a tuple of whole numbers`);
  const shape = (shapeText.match(/\d+/g) ?? []).map(Number);
  if (shape.some((n) => !Number.isSafeInteger(n))) fail(`shape ${shapeText} is too large`);
  const fortranOrder = entries.get('fortran_order');
  if (fortranOrder !== 'True' && fortranOrder !== 'False') return fail(`fortran_order ${fortranOrder} is not True or False`);
  return { descr: descr.slice(1, -1), fortranOrder: fortranOrder === 'True', shape };
}

function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** Files of the CIFAR-10-C release: the 15 benchmark corruptions and its 4 extra (validation) ones. */
export const CIFAR10C_CORRUPTIONS = [...CORRUPTIONS, 'speckle_noise', 'gaussian_blur', 'spatter', 'saturate'] as const;

const CIFAR10C_PER_SEVERITY = 10000;
const CIFAR10C_IMAGE_SHAPE = [32, 32, 3];
const CIFAR10C_SUBFOLDER = 'CIFAR-10-C';
const CIFAR10C_ARCHIVE = 'https://zenodo.org/record/2535967/files/CIFAR-10-C.tar';
/**
 * CIFAR-10's training-set normalisation (the values cifar.ts uses): a model trained on CIFAR-10 must see the
 * corrupted test images normalised exactly as the clean ones.
 */
const CIFAR10_MEAN: Rgb = [0.49139968, 0.48215827, 0.44653124];
const CIFAR10_STD: Rgb = [0.24703233, 0.24348505, 0.26158768];

/**
 * One severity of one CIFAR-10-C corruption: `<corruption>.npy` (50000x32x32x3 uint8, severities 1..5 stacked
 * in blocks of 10000 test images) and `labels.npy` (50000 labels, uint8 in the release, int32/int64 accepted),
 * from `dir` or its CIFAR-10-C sub-folder. Returns the 10000 images of that severity with their labels.
 */
export function readCifar10C(dir: string, corruption: string, severity: number): Dataset {
  if (!(CIFAR10C_CORRUPTIONS as readonly string[]).includes(corruption)) {
    throw new DatasetError(`cifar10-c: unknown corruption "${corruption}"; allowed: ${CIFAR10C_CORRUPTIONS.join(', ')}`);
  }
  if (!(SEVERITIES as readonly number[]).includes(severity)) throw new DatasetError(`cifar10-c: severity ${severity} is not one of ${SEVERITIES.join(', ')}`);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DatasetError(`cifar10-c: directory ${dir} does not exist; ${whereToPut(dir)}`);
  const names = [`${corruption}.npy`, 'labels.npy'];
  const folder = [dir, join(dir, CIFAR10C_SUBFOLDER)].find((candidate) => names.every((name) => existsSync(join(candidate, name))));
  if (folder === undefined) {
    const missing = names.filter((name) => !existsSync(join(dir, name)));
    throw new DatasetError(`cifar10-c: ${missing.join(' and ')} not found in ${dir} or ${join(dir, CIFAR10C_SUBFOLDER)}; expected ${names.join(' and ')}. ${whereToPut(dir)}`);
  }
  const total = SEVERITIES.length * CIFAR10C_PER_SEVERITY;
  const imagesFile = join(folder, names[0]);
  const images = readNpy(imagesFile);
  if (images.dtype !== 'uint8') throw new DatasetError(`${imagesFile}: dtype ${images.dtype}, expected uint8`);
  expectShape(imagesFile, images.shape, [total, ...CIFAR10C_IMAGE_SHAPE]);
  const labelsFile = join(folder, names[1]);
  const labels = readNpy(labelsFile);
  expectShape(labelsFile, labels.shape, [total]);
  const first = (severity - 1) * CIFAR10C_PER_SEVERITY;
  const selected = new Uint8Array(CIFAR10C_PER_SEVERITY);
  for (let i = 0; i < CIFAR10C_PER_SEVERITY; i++) {
    const label = Number(labels.data[first + i]);
    if (!(label >= 0 && label < CIFAR10_CLASS_NAMES.length)) {
      throw new DatasetError(`${labelsFile}: label ${label} at index ${first + i} is outside [0, ${CIFAR10_CLASS_NAMES.length})`);
    }
    selected[i] = label;
  }
  const imageBytes = CIFAR10C_IMAGE_SHAPE.reduce((a, b) => a * b, 1);
  return {
    name: `cifar10-c/${corruption}/${severity}`,
    classes: CIFAR10_CLASS_NAMES.length,
    classNames: CIFAR10_CLASS_NAMES,
    size: CIFAR10C_PER_SEVERITY,
    height: CIFAR10C_IMAGE_SHAPE[0],
    width: CIFAR10C_IMAGE_SHAPE[1],
    channels: 3,
    mean: CIFAR10_MEAN,
    std: CIFAR10_STD,
    // A copy, so that the other four severities can be freed.
    images: images.data.slice(first * imageBytes, (first + CIFAR10C_PER_SEVERITY) * imageBytes),
    labels: selected,
  };
}

function expectShape(file: string, actual: readonly number[], expected: readonly number[]): void {
  if (actual.length !== expected.length || actual.some((n, i) => n !== expected[i])) {
    throw new DatasetError(`${file}: shape ${formatShape(actual)}, expected ${formatShape(expected)}`);
  }
}

function whereToPut(dir: string): string {
  return `put the CIFAR-10-C .npy files in ${dir} or ${join(dir, CIFAR10C_SUBFOLDER)}, e.g. by extracting ${CIFAR10C_ARCHIVE}`;
}
