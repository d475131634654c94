import { Prng } from '../util/prng.ts';
import type { Dataset } from './dataset.ts';
import { deriveSeed } from './derive-seed.ts';
import { checkPositiveInteger } from './errors.ts';
import { shuffleInPlace } from './shuffle.ts';
import { ImageTransform } from './transform.ts';

export interface BatcherOptions {
  batchSize: number;
  /** Seeds the per-epoch shuffle and augmentation; default 0. */
  seed?: number;
  /** Default true. */
  shuffle?: boolean;
  /** Leave out the last, smaller batch; default false. */
  dropLast?: boolean;
  /** Random crop/resized crop and mirror (see ImageTransform); default false. */
  augment?: boolean;
  /** Side of the square output images; default the stored size. */
  resolution?: number;
}

/** Normalised NHWC pixels and labels of `size` images, ready to wrap in tensors. */
export interface Batch {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly size: number;
  readonly height: number;
  readonly width: number;
  readonly channels: 3;
}

/**
 * Cuts a dataset into normalised batches. Epoch e's order and augmentation depend only on (seed, e), so any
 * epoch can be replayed alone. Each batch gets fresh arrays (two allocations per batch, none per image)
 * because tensors made from them may keep referring to them after the next batch is produced.
 */
export class Batcher {
  readonly batchSize: number;
  private readonly seed: number;
  private readonly shuffle: boolean;
  private readonly dropLast: boolean;
  private readonly transform: ImageTransform;

  constructor(
    readonly dataset: Dataset,
    options: BatcherOptions,
  ) {
    checkPositiveInteger('batchSize', options.batchSize);
    if (options.resolution !== undefined) checkPositiveInteger('resolution', options.resolution);
    this.batchSize = options.batchSize;
    this.seed = options.seed ?? 0;
    this.shuffle = options.shuffle ?? true;
    this.dropLast = options.dropLast ?? false;
    const height = options.resolution ?? dataset.height;
    const width = options.resolution ?? dataset.width;
    this.transform = new ImageTransform(dataset, height, width, options.augment ?? false);
  }

  get batchesPerEpoch(): number {
    const whole = Math.floor(this.dataset.size / this.batchSize);
    return this.dropLast || this.dataset.size % this.batchSize === 0 ? whole : whole + 1;
  }

  *epoch(epoch: number): Generator<Batch> {
    const prng = new Prng(deriveSeed(this.seed, epoch));
    const order = this.order(prng);
    const { images, labels } = this.dataset;
    const { outHeight: height, outWidth: width, outputLength } = this.transform;
    for (let b = 0; b < this.batchesPerEpoch; b++) {
      const start = b * this.batchSize;
      const size = Math.min(this.batchSize, order.length - start);
      const batch = { images: new Float32Array(size * outputLength), labels: new Int32Array(size), size, height, width, channels: 3 as const };
      for (let i = 0; i < size; i++) {
        const index = order[start + i];
        this.transform.apply(images, index, batch.images, i * outputLength, prng);
        batch.labels[i] = labels[index];
      }
      yield batch;
    }
  }

  private order(prng: Prng): Int32Array {
    const order = new Int32Array(this.dataset.size);
    for (let i = 0; i < order.length; i++) order[i] = i;
    if (this.shuffle) shuffleInPlace(order, prng);
    return order;
  }
}
