import type { Prng } from '../util/prng.ts';
import type { Box } from './bilinear.ts';

/** Zero padding for the random crop at native size, as in the standard CIFAR recipe. */
export const CROP_PADDING = 4;

const SCALE_RANGE = [0.08, 1] as const;
const LOG_RATIO_RANGE = [Math.log(3 / 4), Math.log(4 / 3)] as const;
const ATTEMPTS = 10;

/**
 * The crop box of torchvision's RandomResizedCrop: up to 10 tries at a box covering 8-100 % of the area with
 * aspect ratio 3/4-4/3 (log-uniform) placed uniformly, then the largest central box with an allowed ratio.
 * Written into `box` (and returned) so that a caller cropping every image of an epoch can reuse one object.
 */
export function randomResizedCropBox(height: number, width: number, prng: Prng, box: Box = { top: 0, left: 0, height: 0, width: 0 }): Box {
  const area = height * width;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const targetArea = area * uniform(prng, SCALE_RANGE[0], SCALE_RANGE[1]);
    const ratio = Math.exp(uniform(prng, LOG_RATIO_RANGE[0], LOG_RATIO_RANGE[1]));
    const boxWidth = Math.round(Math.sqrt(targetArea * ratio));
    const boxHeight = Math.round(Math.sqrt(targetArea / ratio));
    if (boxWidth > 0 && boxWidth <= width && boxHeight > 0 && boxHeight <= height) {
      return setBox(box, prng.int(height - boxHeight + 1), prng.int(width - boxWidth + 1), boxHeight, boxWidth);
    }
  }
  return centralBox(height, width, box);
}

function centralBox(height: number, width: number, box: Box): Box {
  const ratio = width / height;
  const [minRatio, maxRatio] = [Math.exp(LOG_RATIO_RANGE[0]), Math.exp(LOG_RATIO_RANGE[1])];
  let boxHeight = height;
  let boxWidth = width;
  if (ratio < minRatio) boxHeight = Math.round(width / minRatio);
  else if (ratio > maxRatio) boxWidth = Math.round(height * maxRatio);
  return setBox(box, Math.floor((height - boxHeight) / 2), Math.floor((width - boxWidth) / 2), boxHeight, boxWidth);
}

function setBox(box: Box, top: number, left: number, height: number, width: number): Box {
  box.top = top;
  box.left = left;
  box.height = height;
  box.width = width;
  return box;
}

function uniform(prng: Prng, low: number, high: number): number {
  return low + (high - low) * prng.next();
}
