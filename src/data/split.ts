import { Prng } from '../util/prng.ts';
import { subset } from './dataset.ts';
import type { Dataset } from './dataset.ts';
import { DatasetError } from './errors.ts';
import { shuffleInPlace } from './shuffle.ts';

export interface SplitOptions {
  /** Share of the images that goes to validation, in (0, 1). */
  validationFraction: number;
  seed?: number;
  /** Keep each class's share in both parts; default true. */
  stratified?: boolean;
}

/**
 * A seeded train/validation split. The validation part has round(size * fraction) images; stratified, each
 * class contributes the floor or ceiling of its own share (largest remainders get the ceiling). Both parts
 * keep the original image order.
 */
export function splitDataset(dataset: Dataset, options: SplitOptions): { train: Dataset; validation: Dataset } {
  const fraction = options.validationFraction;
  if (!(fraction > 0 && fraction < 1)) throw new DatasetError(`option validationFraction: ${fraction} is not in (0, 1)`);
  const prng = new Prng(options.seed ?? 0);
  const groups = options.stratified ?? true ? indicesByClass(dataset) : [allIndices(dataset.size)];
  for (const group of groups) shuffleInPlace(group, prng);
  const quotas = allocate(groups.map((group) => group.length), Math.round(dataset.size * fraction));
  const validation = groups.flatMap((group, g) => group.slice(0, quotas[g]));
  const train = groups.flatMap((group, g) => group.slice(quotas[g]));
  const ascending = (a: number, b: number): number => a - b;
  return { train: subset(dataset, train.sort(ascending)), validation: subset(dataset, validation.sort(ascending)) };
}

function indicesByClass(dataset: Dataset): number[][] {
  const groups = Array.from({ length: dataset.classes }, (): number[] => []);
  dataset.labels.forEach((label, i) => groups[label].push(i));
  return groups;
}

function allIndices(size: number): number[] {
  return Array.from({ length: size }, (_, i) => i);
}

/** Splits `total` over groups in proportion to their sizes (largest-remainder rounding). */
function allocate(sizes: number[], total: number): number[] {
  const all = sizes.reduce((a, b) => a + b, 0);
  const exact = sizes.map((size) => (size * total) / all);
  const quotas = exact.map(Math.floor);
  const byRemainder = exact.map((value, g) => ({ g, remainder: value - quotas[g] })).sort((a, b) => b.remainder - a.remainder || a.g - b.g);
  let left = total - quotas.reduce((a, b) => a + b, 0);
  for (const { g } of byRemainder) {
    if (left === 0) break;
    quotas[g]++;
    left--;
  }
  return quotas;
}
