import { Prng } from '../util/prng.ts';
import { crossover } from './crossover.ts';
import type { CrossoverKind } from './crossover.ts';
import { assertGenesInBounds, geneKey, randomGenes } from './genes.ts';
import { mutateIntegerGenes } from './polynomial-mutation.ts';
import { assertValidProblem, evaluateBatch } from './problem.ts';
import type { Problem } from './problem.ts';
import { rankAndCrowdingSurvival } from './survival.ts';

export interface Nsga2Options {
  /** Default 40. */
  popSize?: number;
  /** Default 20; the initial population counts as generation 1 (as in pymoo), so 19 offspring batches. */
  generations?: number;
  /** Default 'two-point' (as CNAS). */
  crossover?: CrossoverKind;
  /** Probability that a mating recombines rather than copies the parents; default 0.9. */
  crossoverProb?: number;
  /** Polynomial mutation index; default 1.0 (as CNAS), i.e. wide steps. */
  mutationEta?: number;
  /** Probability that an offspring is mutated at all; default 0.9. */
  mutationProb?: number;
  /** Probability that a gene of a mutated offspring changes; default 1 / nGenes. */
  geneProb?: number;
  seed: number;
  /** Seed population (e.g. the archive's front): deduplicated, topped up with uniform random individuals. */
  initial?: readonly (readonly number[])[];
}

/** Final population, best first (rank ascending, then crowding descending). */
export interface Nsga2Result {
  X: number[][];
  F: number[][];
  CV: number[];
}

interface Population {
  X: number[][];
  F: number[][];
  CV: number[];
  rank: number[];
  crowding: number[];
}

/** Generous enough that only a (nearly) exhausted search space runs out; pymoo allows 100 mating rounds. */
const MATING_ROUNDS = 100;

/** NSGA-II (Deb et al. 2002) over integer genes with constraint-domination and duplicate elimination. */
export function nsga2(problem: Problem, options: Nsga2Options): Nsga2Result {
  assertValidProblem(problem);
  const popSize = options.popSize ?? 40;
  const generations = options.generations ?? 20;
  if (!Number.isInteger(popSize) || popSize < 2) throw new Error(`popSize must be an integer >= 2, got ${popSize}`);
  if (!Number.isInteger(generations) || generations < 1) throw new Error(`generations must be an integer >= 1, got ${generations}`);
  const rng = new Prng(options.seed);

  let pop = survive(initialPopulation(problem, popSize, options.initial ?? [], rng), popSize);
  for (let gen = 2; gen <= generations; gen++) {
    const offspring = makeOffspring(problem, pop, popSize, options, rng);
    // Everything reachable is already in the population: further generations could not change it.
    if (offspring.length === 0) break;
    const evaluated = evaluateBatch(problem, offspring);
    pop = survive(
      { X: pop.X.concat(offspring), F: pop.F.concat(evaluated.F), CV: pop.CV.concat(evaluated.CV) },
      popSize,
    );
  }
  return { X: pop.X, F: pop.F, CV: pop.CV };
}

function initialPopulation(
  problem: Problem,
  popSize: number,
  seeds: readonly (readonly number[])[],
  rng: Prng,
): { X: number[][]; F: number[][]; CV: number[] } {
  const X: number[][] = [];
  const seen = new Set<string>();
  for (const x of seeds) {
    assertGenesInBounds(x, problem.upper, 'initial individual');
    const key = geneKey(x);
    if (seen.has(key)) continue;
    seen.add(key);
    X.push(x.slice());
  }
  // Bounded so that a space smaller than popSize ends the filling instead of looping forever.
  for (let attempt = 0; X.length < popSize && attempt < MATING_ROUNDS * popSize; attempt++) {
    const x = finish(problem, randomGenes(problem.upper, rng), rng);
    const key = geneKey(x);
    if (seen.has(key)) continue;
    seen.add(key);
    X.push(x);
  }
  return { X, ...evaluateBatch(problem, X) };
}

function survive(merged: { X: number[][]; F: number[][]; CV: number[] }, popSize: number): Population {
  const kept = rankAndCrowdingSurvival(merged.F, merged.CV, popSize);
  return {
    X: kept.indices.map((i) => merged.X[i]),
    F: kept.indices.map((i) => merged.F[i]),
    CV: kept.indices.map((i) => merged.CV[i]),
    rank: kept.rank,
    crowding: kept.crowding,
  };
}

/**
 * Up to `count` offspring that differ from every population member and from each other; fewer only when
 * the mating rounds run out, which happens when the space is (nearly) exhausted.
 */
function makeOffspring(problem: Problem, pop: Population, count: number, options: Nsga2Options, rng: Prng): number[][] {
  const kind = options.crossover ?? 'two-point';
  const crossoverProb = options.crossoverProb ?? 0.9;
  const mutationEta = options.mutationEta ?? 1.0;
  const mutationProb = options.mutationProb ?? 0.9;
  const geneProb = options.geneProb ?? 1 / problem.nGenes;

  const seen = new Set(pop.X.map(geneKey));
  const offspring: number[][] = [];
  const maxMatings = (MATING_ROUNDS * count) / 2;
  for (let mating = 0; offspring.length < count && mating < maxMatings; mating++) {
    const a = pop.X[tournament(pop, rng)];
    const b = pop.X[tournament(pop, rng)];
    const children = rng.next() < crossoverProb ? crossover(kind, a, b, rng) : [a.slice(), b.slice()];
    for (const child of children) {
      const mutated = rng.next() < mutationProb ? mutateIntegerGenes(child, problem.upper, mutationEta, geneProb, rng) : child;
      const x = finish(problem, mutated, rng);
      const key = geneKey(x);
      if (seen.has(key) || offspring.length === count) continue;
      seen.add(key);
      offspring.push(x);
    }
  }
  return offspring;
}

/** Binary tournament by constraint-domination rank, then crowding; a full tie is decided by a coin. */
function tournament(pop: Population, rng: Prng): number {
  const n = pop.X.length;
  // A search space with a single point leaves nobody to compete with.
  if (n === 1) return 0;
  const a = rng.int(n);
  let b = rng.int(n - 1);
  if (b >= a) b++;
  if (pop.rank[a] !== pop.rank[b]) return pop.rank[a] < pop.rank[b] ? a : b;
  if (pop.crowding[a] !== pop.crowding[b]) return pop.crowding[a] > pop.crowding[b] ? a : b;
  return rng.next() < 0.5 ? a : b;
}

/** Applies the problem's repair, and checks it, so that only valid individuals are ever evaluated. */
function finish(problem: Problem, x: number[], rng: Prng): number[] {
  if (problem.repair === undefined) return x;
  const repaired = problem.repair(x, rng);
  assertGenesInBounds(repaired, problem.upper, 'repaired individual');
  return repaired;
}
