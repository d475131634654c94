import { Prng } from '../util/prng.ts';
import type { SubnetConfig } from './config.ts';
import type { SearchSpace } from './definition.ts';

/** One uniform random config, drawn in CNAS's order: depths, kernels, expands, resolution, then t or b. */
export function sampleConfig(space: SearchSpace, rng: Prng): SubnetConfig {
  const d = Array.from({ length: space.nStages }, () => rng.pick(space.depths));
  const total = d.reduce((a, b) => a + b, 0);
  const config: SubnetConfig = {
    ks: Array.from({ length: total }, () => rng.pick(space.kernels)),
    e: Array.from({ length: total }, () => rng.pick(space.expands)),
    d,
  };
  if (!space.fixedResolution) config.r = rng.pick(space.resolutions);
  if (space.exitKind === 'threshold') {
    config.t = Array.from({ length: space.nBoundaries }, () => rng.pick(space.thresholds));
  } else if (space.exitKind === 'flag') {
    let b: number[];
    do b = Array.from({ length: space.nBoundaries }, () => rng.int(2));
    while (!b.includes(1));
    config.b = b;
  }
  return config;
}

/** `n` configs from a seed: the same seed gives the same configs on any machine. */
export function sampleConfigs(space: SearchSpace, n: number, seed: number): SubnetConfig[] {
  const rng = new Prng(seed);
  return Array.from({ length: n }, () => sampleConfig(space, rng));
}
