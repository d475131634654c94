import type { Prng } from '../util/prng.ts';

/** Hash-set key of an integer gene vector, for duplicate elimination. */
export function geneKey(x: readonly number[]): string {
  return x.join(',');
}

/** Uniform random individual: gene i uniform over 0..upper[i]. */
export function randomGenes(upper: readonly number[], rng: Prng): number[] {
  return upper.map((u) => rng.int(u + 1));
}

/** Rejects individuals supplied from outside (seed populations, repairs) that break the integer bounds. */
export function assertGenesInBounds(x: readonly number[], upper: readonly number[], what: string): void {
  if (x.length !== upper.length) throw new Error(`${what} has ${x.length} genes, expected ${upper.length}`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isInteger(x[i]) || x[i] < 0 || x[i] > upper[i]) {
      throw new Error(`${what}: gene ${i} = ${x[i]} is outside 0..${upper[i]}`);
    }
  }
}
