import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CIFAR10_CLASS_NAMES, CIFAR100_CLASS_NAMES } from './cifar-classes.ts';
import type { Dataset, Rgb, Split } from './dataset.ts';
import { DatasetError } from './errors.ts';

const SIDE = 32;
const PIXELS = SIDE * SIDE;
const IMAGE_BYTES = PIXELS * 3;

/** What tells the two CIFAR binary formats apart. */
interface CifarFormat {
  readonly name: 'cifar10' | 'cifar100';
  /** Label bytes before the pixels; the last one is the label used (CIFAR-100: coarse, then fine). */
  readonly labelBytes: number;
  readonly classNames: readonly string[];
  /** Class count of each label byte, checked while reading. */
  readonly labelRanges: readonly number[];
  readonly subfolder: string;
  readonly files: Readonly<Record<Split, readonly string[]>>;
  readonly archive: string;
  readonly mean: Rgb;
  readonly std: Rgb;
}

const CIFAR10: CifarFormat = {
  name: 'cifar10',
  labelBytes: 1,
  classNames: CIFAR10_CLASS_NAMES,
  labelRanges: [10],
  subfolder: 'cifar-10-batches-bin',
  files: { train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`), test: ['test_batch.bin'] },
  archive: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
  mean: [0.49139968, 0.48215827, 0.44653124],
  std: [0.24703233, 0.24348505, 0.26158768],
};

const CIFAR100: CifarFormat = {
  name: 'cifar100',
  labelBytes: 2,
  classNames: CIFAR100_CLASS_NAMES,
  labelRanges: [20, 100],
  subfolder: 'cifar-100-binary',
  files: { train: ['train.bin'], test: ['test.bin'] },
  archive: 'https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz',
  mean: [0.5071, 0.4865, 0.4409],
  std: [0.2673, 0.2564, 0.2762],
};

/** CIFAR-10 from its binary batches; the train split reads whichever of data_batch_1..5.bin are present. */
export function readCifar10(dir: string, split: Split): Dataset {
  return readCifar(CIFAR10, dir, split);
}

/** CIFAR-100 from train.bin / test.bin, labelled with the 100 fine classes. */
export function readCifar100(dir: string, split: Split): Dataset {
  return readCifar(CIFAR100, dir, split);
}

function readCifar(format: CifarFormat, dir: string, split: Split): Dataset {
  const files = findFiles(format, dir, split);
  const contents = files.map((file) => ({ file, bytes: readFileSync(file) }));
  const recordBytes = format.labelBytes + IMAGE_BYTES;
  for (const { file, bytes } of contents) {
    if (bytes.length === 0) throw new DatasetError(`${file}: empty file`);
    if (bytes.length % recordBytes !== 0) {
      throw new DatasetError(`${file}: corrupt or truncated: ${bytes.length} bytes is not a multiple of ${recordBytes}`);
    }
  }
  const size = contents.reduce((total, { bytes }) => total + bytes.length / recordBytes, 0);
  const images = new Uint8Array(size * IMAGE_BYTES);
  const labels = new Uint8Array(size);
  let n = 0;
  for (const { file, bytes } of contents) {
    for (let offset = 0; offset < bytes.length; offset += recordBytes, n++) {
      checkLabels(format, file, bytes, offset, offset / recordBytes);
      labels[n] = bytes[offset + format.labelBytes - 1];
      planesToInterleaved(bytes, offset + format.labelBytes, images, n * IMAGE_BYTES);
    }
  }
  return {
    name: format.name,
    classes: format.classNames.length,
    classNames: format.classNames,
    size,
    height: SIDE,
    width: SIDE,
    channels: 3,
    mean: format.mean,
    std: format.std,
    images,
    labels,
  };
}

function checkLabels(format: CifarFormat, file: string, bytes: Uint8Array, offset: number, record: number): void {
  format.labelRanges.forEach((range, i) => {
    const label = bytes[offset + i];
    if (label >= range) {
      const which = format.labelRanges.length > 1 ? (i === 0 ? 'coarse label' : 'fine label') : 'label';
      throw new DatasetError(`${file}: record ${record} has ${which} ${label}, outside [0, ${range})`);
    }
  });
}

/** The files store each image as R, G and B planes (CHW); the project works in HWC. */
function planesToInterleaved(source: Uint8Array, from: number, target: Uint8Array, to: number): void {
  for (let p = 0; p < PIXELS; p++) {
    target[to + 3 * p] = source[from + p];
    target[to + 3 * p + 1] = source[from + PIXELS + p];
    target[to + 3 * p + 2] = source[from + 2 * PIXELS + p];
  }
}

/** The split's files, in the directory itself or in the archive's usual sub-folder, whichever holds any. */
function findFiles(format: CifarFormat, dir: string, split: Split): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DatasetError(`${format.name}: directory ${dir} does not exist; ${whereToPut(format, dir)}`);
  }
  const expected = format.files[split];
  for (const folder of [dir, join(dir, format.subfolder)]) {
    const present = expected.map((name) => join(folder, name)).filter((file) => existsSync(file));
    if (present.length > 0) return present;
  }
  const anyOf = split === 'train' && expected.length > 1 ? 'any of ' : '';
  throw new DatasetError(
    `${format.name}: no ${split} files in ${dir} or ${join(dir, format.subfolder)}; expected ${anyOf}${expected.join(', ')}. ${whereToPut(format, dir)}`,
  );
}

function whereToPut(format: CifarFormat, dir: string): string {
  const names = [...format.files.train, ...format.files.test].join(', ');
  return `put the binary files (${names}) in ${dir} or ${join(dir, format.subfolder)}, e.g. by extracting ${format.archive}`;
}
