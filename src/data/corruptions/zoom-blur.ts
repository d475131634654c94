import type { Corruption } from './names.ts';
import { clippedZoom } from './zoom.ts';

/** End of numpy's arange(1, stop, 0.01) of zoom factors, per severity. */
const STOP = [1.06, 1.11, 1.16, 1.21, 1.26];
const STEP = 0.01;

/**
 * The mean of the image and its centre-zoomed copies at factors 1, 1.01, ... (zoom is relative to the image,
 * so nothing needs scaling). The factors are those numpy's arange gives, float rounding included: its length
 * is ceil((stop - 1) / 0.01), which makes 7 and 12 factors (1.06 and 1.11 included) at severities 1 and 2,
 * then 16, 21 and 26. Factor 1 is an exact copy, so the image weighs twice in the mean, as in the reference.
 */
export const zoomBlur: Corruption = (image, height, width, severity) => {
  const count = Math.ceil((STOP[severity - 1] - 1) / STEP);
  const sum = Float32Array.from(image);
  for (let i = 0; i < count; i++) {
    const zoomed = clippedZoom(image, height, width, 3, 1 + i * STEP, height, width);
    for (let p = 0; p < sum.length; p++) sum[p] += zoomed[p];
  }
  return sum.map((v) => v / (count + 1));
};
