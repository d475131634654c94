import { motionBlur as imageMagickMotionBlur } from './motion.ts';
import type { Corruption } from './names.ts';
import { pixelScale } from './scale.ts';

/** [radius, sigma] of ImageMagick's motion blur in CIFAR pixels, per severity. */
const PARAMETERS: readonly (readonly [number, number])[] = [
  [6, 1],
  [6, 1.5],
  [6, 2],
  [8, 2],
  [9, 2.5],
];

/** ImageMagick's motion blur (see motion.ts) along an angle drawn uniformly from (-45, 45) degrees. */
export const motionBlur: Corruption = (image, height, width, severity, rng) => {
  const [radius, sigma] = PARAMETERS[severity - 1];
  const scale = pixelScale(height, width);
  const angle = -45 + 90 * rng.next();
  return imageMagickMotionBlur(image, height, width, 3, radius * scale, sigma * scale, angle);
};
