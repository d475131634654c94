import type { Prng } from '../../util/prng.ts';

/**
 * A Poisson(lambda) draw with the algorithms numpy uses: Knuth's product of uniforms below lambda = 10, and
 * Hörmann's transformed rejection (PTRS, 1993) above, whose cost does not grow with lambda (shot noise asks
 * for lambda up to 500 per pixel).
 */
export function poisson(lambda: number, rng: Prng): number {
  if (lambda <= 0) return 0;
  return lambda < 10 ? poissonSmall(lambda, rng) : poissonPtrs(lambda, rng);
}

function poissonSmall(lambda: number, rng: Prng): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  let product = rng.next();
  while (product > limit) {
    k++;
    product *= rng.next();
  }
  return k;
}

function poissonPtrs(lambda: number, rng: Prng): number {
  const logLambda = Math.log(lambda);
  const b = 0.931 + 2.53 * Math.sqrt(lambda);
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng.next() - 0.5;
    const v = rng.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -lambda + k * logLambda - logGamma(k + 1)) return k;
  }
}

/** Stirling's series coefficients B_2n / (2n (2n - 1)) for log Gamma. */
const STIRLING = [
  8.333333333333333e-2, -2.777777777777778e-3, 7.936507936507937e-4, -5.952380952380952e-4, 8.417508417508418e-4,
  -1.917526917526918e-3, 6.41025641025641e-3, -2.955065359477124e-2, 1.796443723688307e-1, -1.3924322169059,
];

/** log Gamma(x) for x >= 1: Stirling's series at x + n >= 7, stepped back down with log Gamma(x) = log Gamma(x + 1) - log x. */
export function logGamma(x: number): number {
  const shift = x < 7 ? Math.floor(7 - x) : 0;
  const x0 = x + shift;
  const inverseSquare = 1 / (x0 * x0);
  let series = 0;
  for (let k = STIRLING.length - 1; k >= 0; k--) series = series * inverseSquare + STIRLING[k];
  let result = series / x0 + 0.5 * Math.log(2 * Math.PI) + (x0 - 0.5) * Math.log(x0) - x0;
  for (let k = 0; k < shift; k++) result -= Math.log(x + k);
  return result;
}
