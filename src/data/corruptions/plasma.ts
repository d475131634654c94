import type { Prng } from '../../util/prng.ts';

/**
 * CIFAR-10-C's plasma_fractal: a diamond-square height map on a periodic size x size grid (size a power of
 * two), normalised to [0, 1]. Each new point is the mean of its four neighbours plus wibble * U(-wibble,
 * wibble) (the reference multiplies twice, so the detail of each finer level shrinks by decay^2), and wibble
 * starts at 100 and is divided by `decay` after each level: a smaller decay gives a rougher fog.
 */
export function plasmaFractal(size: number, decay: number, rng: Prng): Float64Array {
  const map = new Float64Array(size * size);
  const at = (y: number, x: number): number => map[(y % size) * size + (x % size)];
  let wibble = 100;
  const jitter = (): number => wibble * wibble * (2 * rng.next() - 1);
  for (let step = size; step >= 2; step /= 2) {
    const half = step / 2;
    // Squares: the centre of each square of corners.
    for (let y = 0; y < size; y += step) {
      for (let x = 0; x < size; x += step) {
        map[(y + half) * size + x + half] = (at(y, x) + at(y + step, x) + at(y, x + step) + at(y + step, x + step)) / 4 + jitter();
      }
    }
    // Diamonds: the middle of each square's top edge, then of its left edge, from the two corners and two centres beside it.
    for (let y = 0; y < size; y += step) {
      for (let x = 0; x < size; x += step) {
        map[y * size + x + half] = (at(y + half, x + half) + at(y + size - half, x + half) + at(y, x) + at(y, x + step)) / 4 + jitter();
      }
    }
    for (let y = 0; y < size; y += step) {
      for (let x = 0; x < size; x += step) {
        map[(y + half) * size + x] = (at(y + half, x + half) + at(y + half, x + size - half) + at(y, x) + at(y + step, x)) / 4 + jitter();
      }
    }
    wibble /= decay;
  }
  let min = Infinity;
  let max = -Infinity;
  for (const v of map) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return map.map((v) => (v - min) / (max - min));
}
