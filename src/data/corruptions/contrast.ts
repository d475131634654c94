import type { Corruption } from './names.ts';

/** Contrast factor, per severity. */
const FACTOR = [0.75, 0.5, 0.4, 0.3, 0.15];

/**
 * (x - mean) * factor + mean. The mean is per channel over the image, as the reference computes it
 * (np.mean(x, axis=(0, 1)) on an HWC array), so colour casts are kept while contrast falls.
 */
export const contrast: Corruption = (image, height, width, severity) => {
  const factor = FACTOR[severity - 1];
  const mean = [0, 0, 0];
  for (let i = 0; i < image.length; i++) mean[i % 3] += image[i];
  for (let c = 0; c < 3; c++) mean[c] /= height * width;
  return image.map((v, i) => (v - mean[i % 3]) * factor + mean[i % 3]);
};
