import { motionBlur } from './motion.ts';
import type { Corruption } from './names.ts';
import { pixelScale, referenceGrid } from './scale.ts';
import { clippedZoom } from './zoom.ts';

interface SnowParameters {
  /** Mean and standard deviation of the per-pixel snow noise. */
  loc: number;
  spread: number;
  /** Zoom of the noise (flake size). */
  zoom: number;
  /** Noise below this is no snow. */
  threshold: number;
  /** ImageMagick motion-blur radius and sigma, CIFAR pixels. */
  radius: number;
  sigma: number;
  /** Weight of the original image against its whitened version. */
  blend: number;
}

const PARAMETERS: readonly SnowParameters[] = [
  [0.1, 0.2, 1, 0.6, 8, 3, 0.95],
  [0.1, 0.2, 1, 0.5, 10, 4, 0.9],
  [0.15, 0.3, 1.75, 0.55, 10, 4, 0.9],
  [0.25, 0.3, 2.25, 0.6, 12, 6, 0.85],
  [0.3, 0.3, 1.25, 0.65, 14, 12, 0.8],
].map(([loc, spread, zoom, threshold, radius, sigma, blend]) => ({ loc, spread, zoom, threshold, radius, sigma, blend }));

/**
 * CIFAR-10-C's snow: a grey layer of N(loc, spread) noise, zoomed about the centre, zeroed below the threshold,
 * clipped to [0, 1] and motion-blurred into streaks along an angle drawn from (-135, -45) degrees (mostly
 * vertical); the image is whitened towards max(x, 1.5 grey + 0.5) (grey = ITU-R 601 luma, as cv2's RGB2GRAY)
 * and the layer is added twice, as is and turned by 180 degrees.
 * The noise is drawn on a 32x32 grid and zoomed up to the image, so flakes and streaks scale with it. The
 * reference passes the layer through 8-bit PNG and ImageMagick; those quantisations are left out.
 */
export const snow: Corruption = (image, height, width, severity, rng) => {
  const p = PARAMETERS[severity - 1];
  const scale = pixelScale(height, width);
  const grid = referenceGrid(height, width);
  const noise = new Float32Array(grid.height * grid.width);
  for (let i = 0; i < noise.length; i++) noise[i] = p.loc + p.spread * rng.normal();
  const flakes = clippedZoom(noise, grid.height, grid.width, 1, p.zoom, height, width).map((v) => (v < p.threshold ? 0 : Math.min(1, v)));
  const angle = -135 + 90 * rng.next();
  const layer = motionBlur(flakes, height, width, 1, p.radius * scale, p.sigma * scale, angle);
  const out = new Float32Array(image.length);
  const last = layer.length - 1;
  for (let i = 0; i < layer.length; i++) {
    const [r, g, b] = [image[3 * i], image[3 * i + 1], image[3 * i + 2]];
    const whitened = 1.5 * (0.299 * r + 0.587 * g + 0.114 * b) + 0.5;
    const snowfall = layer[i] + layer[last - i];
    for (let c = 0; c < 3; c++) {
      const v = image[3 * i + c];
      out[3 * i + c] = p.blend * v + (1 - p.blend) * Math.max(v, whitened) + snowfall;
    }
  }
  return out;
};
