import { DatasetError } from './errors.ts';

export type Rgb = readonly [number, number, number];

export type Split = 'train' | 'test';

/**
 * A labelled image set held in memory as two flat byte arrays. Bytes rather than floats because CIFAR-size sets
 * stay four times smaller this way; the batcher normalises to floats one batch at a time.
 */
export interface Dataset {
  readonly name: string;
  readonly classes: number;
  readonly classNames: readonly string[];
  readonly size: number;
  readonly height: number;
  readonly width: number;
  readonly channels: 3;
  /** Per-channel mean and standard deviation of pixel/255, used as (x/255 - mean) / std. */
  readonly mean: Rgb;
  readonly std: Rgb;
  /** size * height * width * 3 bytes, NHWC, 0..255. */
  readonly images: Uint8Array;
  /** size bytes, each in [0, classes). */
  readonly labels: Uint8Array;
}

/** Uint8Array labels cap the class count. */
export const MAX_CLASSES = 256;

function imageBytes(dataset: Pick<Dataset, 'height' | 'width' | 'channels'>): number {
  return dataset.height * dataset.width * dataset.channels;
}

/** A new dataset holding copies of the given images, in the given order. */
export function subset(dataset: Dataset, indices: ArrayLike<number>): Dataset {
  const bytes = imageBytes(dataset);
  const images = new Uint8Array(indices.length * bytes);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i];
    if (!Number.isInteger(index) || index < 0 || index >= dataset.size) {
      throw new DatasetError(`${dataset.name}: index ${index} is out of range [0, ${dataset.size})`);
    }
    images.set(dataset.images.subarray(index * bytes, (index + 1) * bytes), i * bytes);
    labels[i] = dataset.labels[index];
  }
  return { ...dataset, size: indices.length, images, labels };
}

/** Images per class, indexed by label. */
export function classCounts(dataset: Pick<Dataset, 'classes' | 'labels'>): number[] {
  const counts = new Array<number>(dataset.classes).fill(0);
  for (const label of dataset.labels) counts[label]++;
  return counts;
}

/** Per-channel mean and standard deviation of pixel/255 over the whole set (to derive normalisation constants). */
export function channelStats(dataset: Pick<Dataset, 'images'>): { mean: Rgb; std: Rgb } {
  const sum = [0, 0, 0];
  const sumSquares = [0, 0, 0];
  const { images } = dataset;
  for (let i = 0; i < images.length; i += 3) {
    for (let c = 0; c < 3; c++) {
      const v = images[i + c] / 255;
      sum[c] += v;
      sumSquares[c] += v * v;
    }
  }
  const n = images.length / 3;
  const mean = sum.map((s) => s / n);
  const std = sumSquares.map((s, c) => Math.sqrt(Math.max(0, s / n - mean[c] * mean[c])));
  return { mean: [mean[0], mean[1], mean[2]], std: [std[0], std[1], std[2]] };
}
