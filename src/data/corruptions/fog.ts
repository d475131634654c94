import type { Corruption } from './names.ts';
import { plasmaFractal } from './plasma.ts';

/** [fog strength, plasma wibble decay], per severity. */
const PARAMETERS: readonly (readonly [number, number])[] = [
  [0.2, 3],
  [0.5, 3],
  [0.75, 2.5],
  [1, 2],
  [1.5, 1.75],
];

/**
 * x + strength * plasma, rescaled by max(x) / (max(x) + strength) so that the brightest clean value stays put
 * where the fog is thickest. The reference draws a 32x32 plasma for CIFAR (256 for ImageNet's 224, top-left
 * crop); here the map is the next power of two at least the image's longer side, cropped at the top left, so
 * fog structure is relative to the image (a 48 px image gets a 64 map, slightly coarser fog).
 */
export const fog: Corruption = (image, height, width, severity, rng) => {
  const [strength, decay] = PARAMETERS[severity - 1];
  let size = 2;
  while (size < Math.max(height, width)) size *= 2;
  const plasma = plasmaFractal(size, decay, rng);
  const max = image.reduce((a, b) => Math.max(a, b), 0);
  const out = new Float32Array(image.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const haze = strength * plasma[y * size + x];
      for (let c = 0; c < 3; c++) {
        const i = (y * width + x) * 3 + c;
        out[i] = ((image[i] + haze) * max) / (max + strength);
      }
    }
  }
  return out;
};
