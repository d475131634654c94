import { correlate2d, gaussianTaps } from './filters.ts';
import type { Corruption } from './names.ts';
import { pixelScale, scaledPixels } from './scale.ts';

/** [disk radius, alias-blur sigma] in CIFAR pixels, per severity. */
const PARAMETERS: readonly (readonly [number, number])[] = [
  [0.3, 0.4],
  [0.4, 0.5],
  [0.5, 0.6],
  [1, 0.2],
  [1.5, 0.1],
];

/**
 * Convolution with CIFAR-10-C's disk kernel (OpenCV filter2D, BORDER_REFLECT_101). At CIFAR radii the disk of
 * the first three severities is the centre pixel alone, so those are pure Gaussian blurs of sigma 0.4-0.6.
 */
export const defocusBlur: Corruption = (image, height, width, severity) => {
  const [radius, aliasSigma] = PARAMETERS[severity - 1];
  const scale = pixelScale(height, width);
  return correlate2d(image, height, width, 3, diskKernel(radius * scale, aliasSigma * scale, scaledPixels(1, scale)), 'mirror');
};

/**
 * The reference's disk(): the grid points within `radius` of the centre, normalised, then blurred by a
 * Gaussian of `aliasSigma` (cv2.GaussianBlur with a 3x3 kernel at CIFAR size; here of half-width
 * `aliasRadius`, which scales with the image). The reference draws the disk on a 17x17 grid and blurs it in
 * place; the disk and its blur fit inside that grid at every CIFAR radius, so the full convolution used here
 * (no grid border) gives the same kernel. Its >8 px branch (a 5x5 blur on a half-pixel grid) is not copied:
 * the same rule serves every radius.
 */
export function diskKernel(radius: number, aliasSigma: number, aliasRadius: number): Float64Array {
  const reach = Math.floor(radius);
  const diskSide = 2 * reach + 1;
  const disk = new Float64Array(diskSide * diskSide);
  for (let y = -reach; y <= reach; y++) {
    for (let x = -reach; x <= reach; x++) if (x * x + y * y <= radius * radius) disk[(y + reach) * diskSide + x + reach] = 1;
  }
  const total = disk.reduce((a, b) => a + b, 0);
  const taps = gaussianTaps(aliasSigma, aliasRadius);
  const side = diskSide + taps.length - 1;
  const kernel = new Float64Array(side * side);
  for (let dy = 0; dy < diskSide; dy++) {
    for (let dx = 0; dx < diskSide; dx++) {
      const value = disk[dy * diskSide + dx] / total;
      if (value === 0) continue;
      for (let ty = 0; ty < taps.length; ty++) {
        for (let tx = 0; tx < taps.length; tx++) kernel[(dy + ty) * side + dx + tx] += value * taps[ty] * taps[tx];
      }
    }
  }
  return kernel;
}
