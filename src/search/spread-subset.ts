import type { Prng } from '../util/prng.ts';

const POP_SIZE = 100;
const GENERATIONS = 60;
const SAMPLING_ATTEMPTS = 10;

/**
 * CNAS's spread criterion for picking k candidates: the standard deviation of the gaps between the sorted
 * values of one objective over the archive front plus the picked candidates. Lower means more even spacing.
 */
export function spreadScore(frontValues: readonly number[], candidateValues: readonly number[], picked: readonly number[]): number {
  const values = frontValues.concat(picked.map((i) => candidateValues[i])).sort((a, b) => a - b);
  if (values.length < 2) return 0;
  const gaps = values.slice(1).map((v, i) => v - values[i]);
  const mean = gaps.reduce((sum, g) => sum + g, 0) / gaps.length;
  return Math.sqrt(gaps.reduce((sum, g) => sum + (g - mean) ** 2, 0) / gaps.length);
}

/**
 * Minimises spreadScore over subsets of exactly k of n candidates with the small GA CNAS used (pymoo's subset
 * selection example): random k-subsets, crossover keeping the common members and filling from the symmetric
 * difference, mutation swapping one member for one non-member, duplicates eliminated, elitist survival.
 * Requires 0 < k < n. Returns sorted candidate indices.
 */
export function spreadSubset(
  frontValues: readonly number[],
  candidateValues: readonly number[],
  k: number,
  rng: Prng,
): number[] {
  const n = candidateValues.length;
  const score = (s: readonly number[]): number => spreadScore(frontValues, candidateValues, s);
  const seen = new Set<string>();
  const admit = (s: number[], into: number[][]): void => {
    const key = s.join(',');
    if (seen.has(key)) return;
    seen.add(key);
    into.push(s);
  };

  let pop: number[][] = [];
  for (let attempt = 0; pop.length < POP_SIZE && attempt < SAMPLING_ATTEMPTS * POP_SIZE; attempt++) {
    admit(sortedSample(range(n), k, rng), pop);
  }
  let scores = pop.map(score);
  for (let gen = 2; gen <= GENERATIONS; gen++) {
    const offspring: number[][] = [];
    for (let attempt = 0; offspring.length < POP_SIZE && attempt < SAMPLING_ATTEMPTS * POP_SIZE; attempt++) {
      const child = mutate(recombine(pop[tournament(scores, rng)], pop[tournament(scores, rng)], k, rng), n, rng);
      admit(child, offspring);
    }
    const merged = pop.concat(offspring);
    const mergedScores = scores.concat(offspring.map(score));
    const order = range(merged.length).sort((a, b) => mergedScores[a] - mergedScores[b] || a - b).slice(0, POP_SIZE);
    pop = order.map((i) => merged[i]);
    scores = order.map((i) => mergedScores[i]);
  }
  return pop[0];
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** k items drawn without replacement (partial Fisher-Yates), sorted so that equal subsets share one key. */
function sortedSample(items: number[], k: number, rng: Prng): number[] {
  const pool = items.slice();
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, k).sort((a, b) => a - b);
}

function tournament(scores: readonly number[], rng: Prng): number {
  const a = rng.int(scores.length);
  const b = rng.int(scores.length);
  return scores[a] <= scores[b] ? a : b;
}

function recombine(a: readonly number[], b: readonly number[], k: number, rng: Prng): number[] {
  const inB = new Set(b);
  const common = a.filter((i) => inB.has(i));
  const inCommon = new Set(common);
  const eitherOnly = a.concat(b).filter((i) => !inCommon.has(i));
  return common.concat(sortedSample(eitherOnly, k - common.length, rng)).sort((x, y) => x - y);
}

function mutate(s: readonly number[], n: number, rng: Prng): number[] {
  const members = new Set(s);
  const outsiders = range(n).filter((i) => !members.has(i));
  const next = s.slice();
  next[rng.int(next.length)] = rng.pick(outsiders);
  return next.sort((x, y) => x - y);
}
