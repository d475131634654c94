import type { Prng } from '../util/prng.ts';

export type CrossoverKind = 'two-point' | 'uniform';

/** Recombines two parents gene by gene (values are exchanged, never blended, so integer bounds hold). */
export function crossover(kind: CrossoverKind, a: readonly number[], b: readonly number[], rng: Prng): [number[], number[]] {
  return kind === 'two-point' ? twoPointCrossover(a, b, rng) : uniformCrossover(a, b, rng);
}

/** Swaps the segment between two distinct cut points drawn from 1..n-1, as pymoo's two-point crossover. */
function twoPointCrossover(a: readonly number[], b: readonly number[], rng: Prng): [number[], number[]] {
  const n = a.length;
  const childA = a.slice();
  const childB = b.slice();
  if (n < 2) return [childA, childB];
  let start = 1 + rng.int(n - 1);
  let end = n;
  if (n > 2) {
    end = 1 + rng.int(n - 2);
    if (end >= start) end++;
    if (end < start) [start, end] = [end, start];
  }
  for (let i = start; i < end; i++) {
    childA[i] = b[i];
    childB[i] = a[i];
  }
  return [childA, childB];
}

function uniformCrossover(a: readonly number[], b: readonly number[], rng: Prng): [number[], number[]] {
  const childA = a.slice();
  const childB = b.slice();
  for (let i = 0; i < a.length; i++) {
    if (rng.next() < 0.5) {
      childA[i] = b[i];
      childB[i] = a[i];
    }
  }
  return [childA, childB];
}
