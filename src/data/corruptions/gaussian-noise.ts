import type { Corruption } from './names.ts';

/** Standard deviation of the added noise, per severity. */
const SIGMA = [0.04, 0.06, 0.08, 0.09, 0.1];

/** x + N(0, sigma) independently per pixel and channel. */
export const gaussianNoise: Corruption = (image, _height, _width, severity, rng) => {
  const sigma = SIGMA[severity - 1];
  return image.map((v) => v + sigma * rng.normal());
};
