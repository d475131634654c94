import { poisson } from './poisson.ts';
import type { Corruption } from './names.ts';

/** Photon count of a full-scale pixel, per severity: fewer photons, more noise. */
const PHOTONS = [500, 250, 100, 75, 50];

/** Poisson(x * photons) / photons independently per pixel and channel. */
export const shotNoise: Corruption = (image, _height, _width, severity, rng) => {
  const photons = PHOTONS[severity - 1];
  return image.map((v) => poisson(Math.max(0, v) * photons, rng) / photons);
};
