import type { Prng } from '../util/prng.ts';

/**
 * Deb's bounded polynomial mutation of one real value x in [lo, hi] (the variant pymoo uses): small eta
 * spreads the step over the whole interval, large eta keeps it near x. The result stays in [lo, hi].
 */
export function polynomialStep(x: number, lo: number, hi: number, eta: number, rng: Prng): number {
  const span = hi - lo;
  if (span <= 0) return x;
  const power = 1 / (eta + 1);
  const u = rng.next();
  let deltaQ: number;
  if (u < 0.5) {
    const xy = 1 - (x - lo) / span;
    const value = 2 * u + (1 - 2 * u) * xy ** (eta + 1);
    deltaQ = value ** power - 1;
  } else {
    const xy = 1 - (hi - x) / span;
    const value = 2 * (1 - u) + 2 * (u - 0.5) * xy ** (eta + 1);
    deltaQ = 1 - value ** power;
  }
  return Math.min(hi, Math.max(lo, x + deltaQ * span));
}

/**
 * Polynomial mutation of integer genes, each within its own [0, upper[i]]. A gene is mutated in real space on
 * [-0.5, upper + 0.5] and rounded, so every integer owns a unit-wide interval and both end values are as
 * reachable as the inner ones (clipping all genes to one shared bound was the bug this replaces).
 */
export function mutateIntegerGenes(
  x: readonly number[],
  upper: readonly number[],
  eta: number,
  geneProb: number,
  rng: Prng,
): number[] {
  const y = x.slice();
  for (let i = 0; i < y.length; i++) {
    if (upper[i] === 0 || rng.next() >= geneProb) continue;
    const real = polynomialStep(y[i], -0.5, upper[i] + 0.5, eta, rng);
    y[i] = Math.min(upper[i], Math.max(0, Math.round(real)));
  }
  return y;
}
