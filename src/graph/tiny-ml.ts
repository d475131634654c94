/** Limits and weights of CBNAS's `tiny_ml` figure of merit; the defaults are those cnas.py passes. */
export interface TinyMlSettings {
  pmax: number;
  mmax: number;
  amax: number;
  wp: number;
  wm: number;
  wa: number;
  penalty: number;
}

export const DEFAULT_TINY_ML: TinyMlSettings = {
  pmax: 2.0,
  mmax: 1e10,
  amax: 5.0,
  wp: 1,
  wm: 1 / 40,
  wa: 1,
  penalty: 1e10,
};

/**
 * tiny_ml = sum over (params, MACs, activations) of weight * (value + penalty * max(0, value - limit)), all in
 * millions already rounded to two decimals, as CNAS computes it.
 */
export function tinyMl(
  m: { params: number; macs: number; activations: number },
  s: TinyMlSettings = DEFAULT_TINY_ML,
): number {
  const term = (v: number, limit: number, w: number): number => w * (v + s.penalty * Math.max(0, v - limit));
  return term(m.params, s.pmax, s.wp) + term(m.macs, s.mmax, s.wm) + term(m.activations, s.amax, s.wa);
}
