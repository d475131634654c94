import type { Corruption } from './names.ts';

/** Added to the HSV value, per severity. */
const SHIFT = [0.05, 0.1, 0.15, 0.2, 0.3];

/**
 * HSV value + shift (clipped to 1), hue and saturation kept, as the reference's skimage rgb2hsv/hsv2rgb round
 * trip. With hue and saturation fixed every RGB channel is proportional to the value, so the round trip is a
 * scaling by new value / old value; a black pixel (saturation 0) becomes grey at the shift.
 */
export const brightness: Corruption = (image, _height, _width, severity) => {
  const shift = SHIFT[severity - 1];
  const out = new Float32Array(image.length);
  for (let i = 0; i < image.length; i += 3) {
    const value = Math.max(image[i], image[i + 1], image[i + 2]);
    if (value <= 0) {
      out.fill(Math.min(1, shift), i, i + 3);
      continue;
    }
    const factor = Math.min(1, value + shift) / value;
    for (let c = 0; c < 3; c++) out[i + c] = image[i + c] * factor;
  }
  return out;
};
