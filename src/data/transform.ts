import type { Prng } from '../util/prng.ts';
import { CROP_PADDING, randomResizedCropBox } from './augment.ts';
import { BilinearSampler } from './bilinear.ts';
import type { Box, ChannelAffine } from './bilinear.ts';
import type { Dataset } from './dataset.ts';

/**
 * Turns one stored image into the normalised float pixels a network sees, optionally augmented:
 * - output size equal to the stored size: training shifts the image by up to 4 pixels each way with black
 *   (pixel 0, before normalisation) filling what comes in, i.e. a random crop of the stored size from the image
 *   zero-padded by 4, then a coin-flip mirror; evaluation copies it unchanged;
 * - other output sizes: training takes a RandomResizedCrop box, resizes it bilinearly and mirrors on a coin
 *   flip; evaluation resizes the whole image bilinearly (see BilinearSampler).
 * Normalisation (x/255 - mean)/std is folded into the same pass, so each image is read and written once.
 */
export class ImageTransform {
  readonly outHeight: number;
  readonly outWidth: number;
  private readonly sourceHeight: number;
  private readonly sourceWidth: number;
  private readonly affine: ChannelAffine;
  /** Null when the output keeps the stored size. */
  private readonly sampler: BilinearSampler | null;
  private readonly wholeImage: Box;
  /** Rewritten for every augmented image rather than allocated. */
  private readonly cropBox: Box = { top: 0, left: 0, height: 0, width: 0 };

  constructor(
    dataset: Pick<Dataset, 'height' | 'width' | 'mean' | 'std'>,
    outHeight: number,
    outWidth: number,
    readonly augment: boolean,
  ) {
    this.sourceHeight = dataset.height;
    this.sourceWidth = dataset.width;
    this.outHeight = outHeight;
    this.outWidth = outWidth;
    this.affine = {
      scale: dataset.std.map((s) => 1 / (255 * s)),
      offset: dataset.mean.map((m, c) => -m / dataset.std[c]),
    };
    const sameSize = outHeight === dataset.height && outWidth === dataset.width;
    this.sampler = sameSize ? null : new BilinearSampler(outHeight, outWidth, 3);
    this.wholeImage = { top: 0, left: 0, height: dataset.height, width: dataset.width };
  }

  /** Floats per output image. */
  get outputLength(): number {
    return this.outHeight * this.outWidth * 3;
  }

  /** Writes image `index` of `images` into `target[to ...]`; `prng` supplies the augmentation draws. */
  apply(images: Uint8Array, index: number, target: Float32Array, to: number, prng: Prng): void {
    const from = index * this.sourceHeight * this.sourceWidth * 3;
    if (this.sampler === null) {
      if (!this.augment) return this.shiftedCopy(images, from, 0, 0, false, target, to);
      const shiftY = prng.int(2 * CROP_PADDING + 1) - CROP_PADDING;
      const shiftX = prng.int(2 * CROP_PADDING + 1) - CROP_PADDING;
      return this.shiftedCopy(images, from, shiftY, shiftX, prng.next() < 0.5, target, to);
    }
    const box = this.augment ? randomResizedCropBox(this.sourceHeight, this.sourceWidth, prng, this.cropBox) : this.wholeImage;
    const flip = this.augment && prng.next() < 0.5;
    this.sampler.sample(images, from, this.sourceWidth, box, flip, target, to, this.affine);
  }

  /** out(y, x) = image(y + shiftY, x' + shiftX) with x' mirrored when `flip`; black outside the image. */
  private shiftedCopy(images: Uint8Array, from: number, shiftY: number, shiftX: number, flip: boolean, target: Float32Array, to: number): void {
    const { sourceHeight: height, sourceWidth: width } = this;
    const { scale, offset } = this.affine;
    let t = to;
    for (let y = 0; y < height; y++) {
      const sy = y + shiftY;
      const rowInside = sy >= 0 && sy < height;
      for (let x = 0; x < width; x++) {
        const sx = (flip ? width - 1 - x : x) + shiftX;
        if (rowInside && sx >= 0 && sx < width) {
          const s = from + (sy * width + sx) * 3;
          target[t++] = images[s] * scale[0] + offset[0];
          target[t++] = images[s + 1] * scale[1] + offset[1];
          target[t++] = images[s + 2] * scale[2] + offset[2];
        } else {
          target[t++] = offset[0];
          target[t++] = offset[1];
          target[t++] = offset[2];
        }
      }
    }
  }
}
