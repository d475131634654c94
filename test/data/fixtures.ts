import type { Dataset } from '../../src/data/dataset.ts';

/** A hand-made dataset; pixel(i, y, x, c) gives every byte so that tests can predict any output. */
export function makeDataset(
  size: number,
  height: number,
  width: number,
  label: (i: number) => number,
  pixel: (i: number, y: number, x: number, c: number) => number,
  classes = 10,
): Dataset {
  const images = new Uint8Array(size * height * width * 3);
  let t = 0;
  for (let i = 0; i < size; i++) for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) images[t++] = pixel(i, y, x, c);
  return {
    name: 'fixture',
    classes,
    classNames: Array.from({ length: classes }, (_, c) => `c${c}`),
    size,
    height,
    width,
    channels: 3,
    mean: [0.5, 0.4, 0.3],
    std: [0.2, 0.25, 0.5],
    images,
    labels: Uint8Array.from({ length: size }, (_, i) => label(i)),
  };
}

/** The float the batcher should produce for byte `value` of channel c of a fixture dataset. */
export function normalised(dataset: Dataset, value: number, c: number): number {
  return Math.fround((value / 255 - dataset.mean[c]) / dataset.std[c]);
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-5): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} !== ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tolerance)) throw new Error(`element ${i}: ${actual[i]} is not within ${tolerance} of ${expected[i]}`);
  }
}
