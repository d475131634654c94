import type { Prng } from '../../util/prng.ts';
import { resizeBilinear } from '../bilinear.ts';
import { gaussianBlur, sampleBilinear } from './filters.ts';
import type { Corruption } from './names.ts';
import { referenceGrid } from './scale.ts';

/** [displacement alpha, smoothing sigma, affine jitter] as fractions of the image side, per severity. */
const PARAMETERS: readonly (readonly [number, number, number])[] = [
  [0, 0, 0.08],
  [0.05, 0.2, 0.07],
  [0.08, 0.06, 0.06],
  [0.1, 0.04, 0.05],
  [0.1, 0.03, 0.03],
];

/**
 * CIFAR-10-C's elastic transform, in two resamplings as the reference:
 * 1. a random affine map: three points around the centre (at +-side/3) each move by U(-affine, affine) * side
 *    per axis, and the image is warped bilinearly with mirrored borders (cv2.warpAffine, BORDER_REFLECT_101);
 * 2. an elastic field: U(-1, 1) noise per pixel for dx and dy, Gaussian-smoothed (sigma * side, truncated at 3
 *    sigma, half-sample reflection) and scaled by alpha * side; the image is resampled bilinearly at
 *    (y + dy, x + dx) with half-sample reflection (scipy map_coordinates, order 1, mode 'reflect').
 * The field is drawn on a 32x32 grid (where the reference's parameters are exact) and resized bilinearly to
 * the image, its displacements scaled by the same factor: on per-pixel noise a larger image would get the same
 * displacement in pixels, i.e. a relatively weaker warp. Severity 1 has alpha 0: the affine map alone.
 * The affine jitter falls from severity 1 to 5 while the field grows, so the strength is not monotone.
 * OpenCV's 1/32-pixel quantisation of warp coordinates is not reproduced.
 */
export const elasticTransform: Corruption = (image, height, width, severity, rng) => {
  const [alpha, sigma, affine] = PARAMETERS[severity - 1];
  const warped = randomAffine(image, height, width, affine * Math.min(height, width), rng);
  if (alpha === 0) return warped;
  const grid = referenceGrid(height, width);
  const gridSide = Math.min(grid.height, grid.width);
  const field = (): Float32Array => {
    const noise = Float32Array.from({ length: grid.height * grid.width }, () => 2 * rng.next() - 1);
    const smooth = gaussianBlur(noise, grid.height, grid.width, 1, sigma * gridSide, 'reflect', 3);
    return resizeBilinear(smooth, grid.height, grid.width, 1, height, width);
  };
  const dx = field();
  const dy = field();
  const scaleX = (alpha * gridSide * width) / grid.width;
  const scaleY = (alpha * gridSide * height) / grid.height;
  const out = new Float32Array(image.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      sampleBilinear(warped, height, width, 3, y + scaleY * dy[p], x + scaleX * dx[p], 'reflect', out, 3 * p);
    }
  }
  return out;
};

function randomAffine(image: Float32Array, height: number, width: number, jitter: number, rng: Prng): Float32Array {
  const [cx, cy] = [Math.floor(width / 2), Math.floor(height / 2)];
  const reach = Math.floor(Math.min(height, width) / 3);
  const source = [
    [cx + reach, cy + reach],
    [cx + reach, cy - reach],
    [cx - reach, cy - reach],
  ];
  const moved = source.map(([x, y]) => [x + jitter * (2 * rng.next() - 1), y + jitter * (2 * rng.next() - 1)]);
  // warpAffine samples the source at the inverse map of each output pixel: the affine map taking moved to source.
  const [a, b, c] = solveAffineRow(moved, source.map(([x]) => x));
  const [d, e, f] = solveAffineRow(moved, source.map(([, y]) => y));
  const out = new Float32Array(image.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      sampleBilinear(image, height, width, 3, d * x + e * y + f, a * x + b * y + c, 'mirror', out, 3 * (y * width + x));
    }
  }
  return out;
}

/** (p, q, r) with p x_i + q y_i + r = target_i for three points, by Cramer's rule. */
function solveAffineRow(points: number[][], target: number[]): [number, number, number] {
  const [[x0, y0], [x1, y1], [x2, y2]] = points;
  const det = x0 * (y1 - y2) - y0 * (x1 - x2) + (x1 * y2 - x2 * y1);
  const [t0, t1, t2] = target;
  const p = (t0 * (y1 - y2) - y0 * (t1 - t2) + (t1 * y2 - t2 * y1)) / det;
  const q = (x0 * (t1 - t2) - t0 * (x1 - x2) + (x1 * t2 - x2 * t1)) / det;
  const r = (x0 * (y1 * t2 - y2 * t1) - y0 * (x1 * t2 - x2 * t1) + t0 * (x1 * y2 - x2 * y1)) / det;
  return [p, q, r];
}
