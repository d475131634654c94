import type { Prng } from '../../util/prng.ts';
import type { Batch } from '../train/batch.ts';

/** NACHOS holds out 10 % of the training set, class-balanced, as the support subset of each epoch. */
const SUPPORT_EVERY = 10;

/**
 * Picks a class-balanced tenth of a stream of samples without knowing the class counts in advance: every
 * tenth sample of each class, counting from a random phase per class, so the subset changes every epoch even
 * when the samples come in the same order.
 */
export class SupportSelector {
  private readonly seen: Int32Array;
  private readonly phase: Int32Array;

  constructor(classes: number, rng: Prng) {
    this.seen = new Int32Array(classes);
    this.phase = Int32Array.from({ length: classes }, () => rng.int(SUPPORT_EVERY));
  }

  /** Whether the next sample of class `label` goes to the support subset. */
  take(label: number): boolean {
    return (this.seen[label]++ + this.phase[label]) % SUPPORT_EVERY === 0;
  }
}

/** The samples of `batch` where `mask` is 1 (or 0 with `keep` false), as a new batch; undefined when none. */
export function maskedBatch(batch: Batch, mask: Uint8Array, keep: boolean): Batch | undefined {
  const perImage = batch.images.length / batch.size;
  const indices: number[] = [];
  for (let n = 0; n < batch.size; n++) if (Boolean(mask[n]) === keep) indices.push(n);
  if (indices.length === 0) return undefined;
  const images = new Float32Array(indices.length * perImage);
  indices.forEach((n, k) => images.set(batch.images.subarray(n * perImage, (n + 1) * perImage), k * perImage));
  return { images, labels: Int32Array.from(indices, (n) => batch.labels[n]), size: indices.length };
}

/**
 * support[c][i] = accuracy of exit i on the support samples of class c, row-major [classes, exits]. A class
 * without support samples gets each exit's accuracy over the whole subset (CNAS would divide by zero).
 */
export function supportMatrix(correct: readonly ArrayLike<number>[], labels: ArrayLike<number>, classes: number): Float32Array {
  const exits = correct.length;
  const right = new Float64Array(classes * exits);
  const count = new Float64Array(classes);
  const total = new Float64Array(exits);
  for (let n = 0; n < labels.length; n++) {
    const c = labels[n];
    count[c]++;
    for (let i = 0; i < exits; i++) {
      right[c * exits + i] += correct[i][n];
      total[i] += correct[i][n];
    }
  }
  const matrix = new Float32Array(classes * exits);
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < exits; i++) {
      matrix[c * exits + i] = count[c] > 0 ? right[c * exits + i] / count[c] : labels.length > 0 ? total[i] / labels.length : 0;
    }
  }
  return matrix;
}
