import { borderIndex } from './border.ts';

/**
 * ImageMagick's MotionBlurImage, which CIFAR-10-C calls through Wand: 2 ceil(radius) + 1 taps with weights
 * exp(-i^2 / 2 sigma^2) (normalised), tap i reading the pixel at (x + round(i cos a), y + round(i sin a)) with
 * edge pixels repeated outside the image. The blur is one-sided: each pixel averages the pixels ahead of it
 * along the angle, so bright points leave trails behind them. This is ImageMagick's algorithm itself (integer
 * tap offsets, edge virtual pixels), not an approximation; only its 8-bit quantisation of the result is left out.
 */
export function motionBlur(image: Float32Array, height: number, width: number, channels: number, radius: number, sigma: number, angleDegrees: number): Float32Array {
  const taps = 2 * Math.ceil(radius) + 1;
  const weights = new Float64Array(taps);
  let sum = 0;
  for (let i = 0; i < taps; i++) {
    weights[i] = Math.exp((-i * i) / (2 * sigma * sigma));
    sum += weights[i];
  }
  const angle = (angleDegrees * Math.PI) / 180;
  // ImageMagick rounds with ceil(v - 0.5), which differs from Math.round only at exact halves.
  const dx = Int32Array.from({ length: taps }, (_, i) => Math.ceil(i * Math.cos(angle) - 0.5));
  const dy = Int32Array.from({ length: taps }, (_, i) => Math.ceil(i * Math.sin(angle) - 0.5));
  const out = new Float32Array(image.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const to = (y * width + x) * channels;
      for (let i = 0; i < taps; i++) {
        const from = (borderIndex(y + dy[i], height, 'nearest') * width + borderIndex(x + dx[i], width, 'nearest')) * channels;
        const weight = weights[i] / sum;
        for (let c = 0; c < channels; c++) out[to + c] += weight * image[from + c];
      }
    }
  }
  return out;
}
