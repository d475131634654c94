import type { Prng } from '../util/prng.ts';

/** n points in [0, 1)^dims such that each dimension has exactly one point in each of its n equal strata. */
export function latinHypercube(n: number, dims: number, rng: Prng): number[][] {
  const points = Array.from({ length: n }, () => new Array<number>(dims));
  const strata = Array.from({ length: n }, (_, k) => k);
  for (let d = 0; d < dims; d++) {
    shuffle(strata, rng);
    for (let k = 0; k < n; k++) points[k][d] = (strata[k] + rng.next()) / n;
  }
  return points;
}

/** Fisher-Yates, in place. */
function shuffle(items: number[], rng: Prng): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
}
