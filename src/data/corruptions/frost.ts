import { frostTexture } from './frost-texture.ts';
import type { Corruption } from './names.ts';
import { pixelScale } from './scale.ts';

/** [image weight, frost weight], per severity. */
const PARAMETERS: readonly (readonly [number, number])[] = [
  [1, 0.2],
  [1, 0.3],
  [0.9, 0.4],
  [0.85, 0.4],
  [0.75, 0.45],
];

/** a x + b frost, with a procedural frost texture in place of the reference's photographs (see frost-texture.ts). */
export const frost: Corruption = (image, height, width, severity, rng) => {
  const [a, b] = PARAMETERS[severity - 1];
  const texture = frostTexture(height, width, pixelScale(height, width), rng);
  return image.map((v, i) => a * v + b * texture[i]);
};
