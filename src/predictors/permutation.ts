import type { Prng } from '../util/prng.ts';

/** A uniformly random ordering of 0..n-1 (Fisher-Yates), drawn from the caller's seeded stream. */
export function permutation(n: number, prng: Prng): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = prng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
