import { borderIndex } from './border.ts';
import type { Border } from './border.ts';

/** Normalised Gaussian taps exp(-x^2 / 2 sigma^2) for x in [-radius, radius]; sigma <= 0 gives the identity. */
export function gaussianTaps(sigma: number, radius: number): Float64Array {
  if (sigma <= 0 || radius <= 0) return Float64Array.of(1);
  const taps = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let x = -radius; x <= radius; x++) {
    taps[x + radius] = Math.exp((-0.5 * x * x) / (sigma * sigma));
    sum += taps[x + radius];
  }
  return taps.map((t) => t / sum);
}

/**
 * scipy.ndimage.gaussian_filter over the two spatial axes of an HWC image (what skimage.filters.gaussian does
 * with multichannel=True): the kernel has radius int(truncate * sigma + 0.5), so a small sigma is the identity.
 */
export function gaussianBlur(image: Float32Array, height: number, width: number, channels: number, sigma: number, border: Border, truncate = 4): Float32Array {
  const taps = gaussianTaps(sigma, Math.trunc(truncate * sigma + 0.5));
  if (taps.length === 1) return image.slice();
  return separable(image, height, width, channels, taps, border);
}

/** Correlates every channel with the same 1-D taps along rows, then along columns. */
function separable(image: Float32Array, height: number, width: number, channels: number, taps: Float64Array, border: Border): Float32Array {
  const radius = (taps.length - 1) / 2;
  const across = new Float32Array(image.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = -radius; k <= radius; k++) sum += taps[k + radius] * image[(y * width + borderIndex(x + k, width, border)) * channels + c];
        across[(y * width + x) * channels + c] = sum;
      }
    }
  }
  const out = new Float32Array(image.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = -radius; k <= radius; k++) sum += taps[k + radius] * across[(borderIndex(y + k, height, border) * width + x) * channels + c];
        out[(y * width + x) * channels + c] = sum;
      }
    }
  }
  return out;
}

/** Correlates every channel with a square kernel of odd side (row-major), as cv2.filter2D does. */
export function correlate2d(image: Float32Array, height: number, width: number, channels: number, kernel: Float64Array, border: Border): Float32Array {
  const side = Math.round(Math.sqrt(kernel.length));
  const radius = (side - 1) / 2;
  const out = new Float32Array(image.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let ky = 0; ky < side; ky++) {
          const row = borderIndex(y + ky - radius, height, border) * width;
          for (let kx = 0; kx < side; kx++) {
            const weight = kernel[ky * side + kx];
            if (weight !== 0) sum += weight * image[(row + borderIndex(x + kx - radius, width, border)) * channels + c];
          }
        }
        out[(y * width + x) * channels + c] = sum;
      }
    }
  }
  return out;
}

/**
 * Bilinear sample of every channel at the fractional position (y, x), reading outside through `border`;
 * writes `channels` values at target[to].
 */
export function sampleBilinear(
  image: Float32Array,
  height: number,
  width: number,
  channels: number,
  y: number,
  x: number,
  border: Border,
  target: Float32Array,
  to: number,
): void {
  const y0 = Math.floor(y);
  const x0 = Math.floor(x);
  const fy = y - y0;
  const fx = x - x0;
  const top = borderIndex(y0, height, border) * width;
  const bottom = borderIndex(y0 + 1, height, border) * width;
  const left = borderIndex(x0, width, border);
  const right = borderIndex(x0 + 1, width, border);
  for (let c = 0; c < channels; c++) {
    const upper = image[(top + left) * channels + c] * (1 - fx) + image[(top + right) * channels + c] * fx;
    const lower = image[(bottom + left) * channels + c] * (1 - fx) + image[(bottom + right) * channels + c] * fx;
    target[to + c] = upper * (1 - fy) + lower * fy;
  }
}
