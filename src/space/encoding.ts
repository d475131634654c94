import { ConfigError } from './errors.ts';
import type { SubnetConfig } from './config.ts';
import type { SearchSpace } from './definition.ts';

/*
 * Gene layout (CNAS's, generalised to any maximum depth): per stage [depth index, kernel index x maxDepth,
 * expand index x maxDepth] with unused slots 0; then one gene per boundary for t or b; then the resolution
 * index when the space has more than one resolution.
 */

export function geneCount(space: SearchSpace): number {
  const perStage = 1 + 2 * space.maxDepth;
  return space.nStages * perStage + (space.exitKind === 'none' ? 0 : space.nBoundaries) + (space.fixedResolution ? 0 : 1);
}

/** Inclusive upper bound of every gene: the number of choices minus one (the resolution gene has |R| - 1). */
export function geneUpperBounds(space: SearchSpace): number[] {
  const upper: number[] = [];
  for (let i = 0; i < space.nStages; i++) {
    upper.push(space.depths.length - 1);
    for (let s = 0; s < space.maxDepth; s++) upper.push(space.kernels.length - 1);
    for (let s = 0; s < space.maxDepth; s++) upper.push(space.expands.length - 1);
  }
  if (space.exitKind === 'threshold') for (let j = 0; j < space.nBoundaries; j++) upper.push(space.thresholds.length - 1);
  if (space.exitKind === 'flag') for (let j = 0; j < space.nBoundaries; j++) upper.push(1);
  if (!space.fixedResolution) upper.push(space.resolutions.length - 1);
  return upper;
}

function indexOf(list: readonly number[], value: number, field: string): number {
  const i = list.indexOf(value);
  if (i < 0) throw new ConfigError(field, `value ${value} is not allowed; allowed values: ${list.join(', ')}`);
  return i;
}

/** Integer genes of a (valid) config. */
export function encodeConfig(space: SearchSpace, config: SubnetConfig): number[] {
  const genes: number[] = [];
  let offset = 0;
  for (let i = 0; i < space.nStages; i++) {
    const d = config.d[i];
    genes.push(indexOf(space.depths, d, `d[${i}]`));
    for (let s = 0; s < space.maxDepth; s++) genes.push(s < d ? indexOf(space.kernels, config.ks[offset + s], `ks[${offset + s}]`) : 0);
    for (let s = 0; s < space.maxDepth; s++) genes.push(s < d ? indexOf(space.expands, config.e[offset + s], `e[${offset + s}]`) : 0);
    offset += d;
  }
  if (space.exitKind === 'threshold') {
    (config.t ?? []).forEach((t, j) => genes.push(indexOf(space.thresholds, t, `t[${j}]`)));
  } else if (space.exitKind === 'flag') {
    (config.b ?? []).forEach((b, j) => genes.push(indexOf([0, 1], b, `b[${j}]`)));
  }
  if (!space.fixedResolution) {
    if (config.r === undefined) throw new ConfigError('r', 'is missing; the space has more than one resolution');
    genes.push(indexOf(space.resolutions, config.r, 'r'));
  }
  return genes;
}

/** Config of an integer gene vector; every gene is checked against its own bound. */
export function decodeGenes(space: SearchSpace, genes: readonly number[]): SubnetConfig {
  const upper = geneUpperBounds(space);
  if (genes.length !== upper.length) throw new ConfigError('genes', `has ${genes.length} entries; expected ${upper.length}`);
  genes.forEach((g, i) => {
    if (!Number.isInteger(g) || g < 0 || g > upper[i]) {
      throw new ConfigError(`genes[${i}]`, `value ${g} is not allowed; allowed values: integers 0..${upper[i]}`);
    }
  });
  const config: SubnetConfig = { ks: [], e: [], d: [] };
  const perStage = 1 + 2 * space.maxDepth;
  for (let i = 0; i < space.nStages; i++) {
    const base = i * perStage;
    const d = space.depths[genes[base]];
    config.d.push(d);
    for (let s = 0; s < d; s++) config.ks.push(space.kernels[genes[base + 1 + s]]);
    for (let s = 0; s < d; s++) config.e.push(space.expands[genes[base + 1 + space.maxDepth + s]]);
  }
  const pos = space.nStages * perStage;
  if (!space.fixedResolution) config.r = space.resolutions[genes[upper.length - 1]];
  if (space.exitKind === 'threshold') {
    config.t = genes.slice(pos, pos + space.nBoundaries).map((g) => space.thresholds[g]);
  } else if (space.exitKind === 'flag') {
    const b = genes.slice(pos, pos + space.nBoundaries);
    if (!b.includes(1)) throw new ConfigError('b', 'has no exit; at least one boundary gene must be 1');
    config.b = b;
  }
  return config;
}

/** Stable text key of a gene vector, for de-duplication. */
export function genesKey(genes: readonly number[]): string {
  return genes.join(',');
}

/** Canonical genes: unused kernel/expand slots set to 0, so equal configs have equal genes. */
export function canonicalGenes(space: SearchSpace, genes: readonly number[]): number[] {
  const out = genes.slice();
  const perStage = 1 + 2 * space.maxDepth;
  for (let i = 0; i < space.nStages; i++) {
    const base = i * perStage;
    const d = space.depths[out[base]];
    for (let s = d; s < space.maxDepth; s++) {
      out[base + 1 + s] = 0;
      out[base + 1 + space.maxDepth + s] = 0;
    }
  }
  return out;
}
