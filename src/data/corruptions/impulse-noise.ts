import type { Corruption } from './names.ts';

/** Fraction of the values replaced, per severity. */
const AMOUNT = [0.01, 0.02, 0.03, 0.05, 0.07];

/**
 * Salt and pepper as current skimage's random_noise(mode='s&p') draws it: each value (pixel and channel
 * separately) is replaced with probability `amount`, by 0 or 1 with equal odds.
 */
export const impulseNoise: Corruption = (image, _height, _width, severity, rng) => {
  const amount = AMOUNT[severity - 1];
  return image.map((v) => {
    if (rng.next() >= amount) return v;
    return rng.next() < 0.5 ? 0 : 1;
  });
};
