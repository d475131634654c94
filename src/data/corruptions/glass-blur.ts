import { gaussianBlur } from './filters.ts';
import type { Corruption } from './names.ts';
import { pixelScale, scaledPixels } from './scale.ts';

/** [Gaussian sigma, swap distance, swap passes], in CIFAR pixels, per severity. */
const PARAMETERS: readonly (readonly [number, number, number])[] = [
  [0.05, 1, 1],
  [0.25, 1, 1],
  [0.4, 1, 1],
  [0.25, 1, 2],
  [0.4, 1, 2],
];

/**
 * Blur (skimage gaussian: edge pixels repeated, kernel radius int(4 sigma + 0.5), so sigma 0.05 is no blur at
 * all), shuffle, blur again. The shuffle is the reference's loop: from the bottom-right corner up to row and
 * column `distance` + 1, each pixel swaps with the one at an offset drawn from [-distance, distance - 1] per
 * axis (numpy's randint excludes its upper bound, so the shuffle drifts up and left). Sigma and distance scale
 * with the image. The reference truncates the first blur to 8 bits; that quantisation is left out.
 */
export const glassBlur: Corruption = (image, height, width, severity, rng) => {
  const [sigma, distance, passes] = PARAMETERS[severity - 1];
  const scale = pixelScale(height, width);
  const delta = scaledPixels(distance, scale);
  const x = gaussianBlur(image, height, width, 3, sigma * scale, 'nearest');
  for (let pass = 0; pass < passes; pass++) {
    for (let row = height - delta; row > delta; row--) {
      for (let col = width - delta; col > delta; col--) {
        const dx = rng.int(2 * delta) - delta;
        const dy = rng.int(2 * delta) - delta;
        swapPixels(x, (row * width + col) * 3, ((row + dy) * width + col + dx) * 3);
      }
    }
  }
  return gaussianBlur(x, height, width, 3, sigma * scale, 'nearest');
};

function swapPixels(image: Float32Array, a: number, b: number): void {
  for (let c = 0; c < 3; c++) {
    const kept = image[a + c];
    image[a + c] = image[b + c];
    image[b + c] = kept;
  }
}
