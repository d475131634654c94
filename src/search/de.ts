import { Prng } from '../util/prng.ts';
import { assertGenesInBounds, geneKey } from './genes.ts';
import { latinHypercube } from './latin-hypercube.ts';
import { polynomialStep } from './polynomial-mutation.ts';
import { assertValidProblem, evaluateBatch } from './problem.ts';
import type { Problem } from './problem.ts';

export interface DeOptions {
  /** Default 40. */
  popSize?: number;
  /** Default 60; the initial population counts as generation 1 (as in pymoo). */
  generations?: number;
  /** Binomial crossover rate; default 0.9. */
  CR?: number;
  /** Differential weight; default 0.5. */
  F?: number;
  /** Probability that a trial vector gets polynomial mutation; default 0.1. */
  mutationProb?: number;
  /** Default 20. */
  mutationEta?: number;
  seed: number;
}

/** Distinct final members, best first: feasible by objective, then infeasible by violation. */
export interface DeResult {
  X: number[][];
  F: number[];
  CV: number[];
}

interface Member {
  real: number[];
  genes: number[];
  f: number;
  cv: number;
}

/**
 * Single-objective differential evolution, DE/rand/1/bin with polynomial mutation of the trial vectors and
 * one-to-one replacement, as pymoo's DE that CNAS used. Gene i is searched as a real in [0, upper[i] + 1) and
 * decoded by flooring, which gives every integer value an equally wide interval. Members are compared by
 * Deb's feasibility rules (feasible first, then lower violation, then lower objective).
 */
export function differentialEvolution(problem: Problem, options: DeOptions): DeResult {
  assertValidProblem(problem);
  if (problem.nObjectives !== 1) throw new Error(`differential evolution needs 1 objective, the problem has ${problem.nObjectives}`);
  const popSize = options.popSize ?? 40;
  const generations = options.generations ?? 60;
  const CR = options.CR ?? 0.9;
  const weight = options.F ?? 0.5;
  const mutationProb = options.mutationProb ?? 0.1;
  const mutationEta = options.mutationEta ?? 20;
  // DE/rand/1 draws three partners distinct from the target.
  if (!Number.isInteger(popSize) || popSize < 4) throw new Error(`popSize must be an integer >= 4, got ${popSize}`);
  if (!Number.isInteger(generations) || generations < 1) throw new Error(`generations must be an integer >= 1, got ${generations}`);
  const rng = new Prng(options.seed);
  const n = problem.nGenes;
  const high = problem.upper.map((u) => u + 1);
  // As in pymoo, a gene of the trial vector changes with probability 1/n, at most one half.
  const geneProb = Math.min(0.5, 1 / n);

  let pop = evaluate(problem, latinHypercube(popSize, n, rng).map((p) => p.map((v, i) => v * high[i])), rng);
  for (let gen = 2; gen <= generations; gen++) {
    const trials = pop.map((_, target) => {
      const [r1, r2, r3] = distinctPartners(popSize, target, rng);
      const x = pop[target].real;
      const forced = rng.int(n);
      const trial = x.slice();
      for (let i = 0; i < n; i++) {
        if (i !== forced && rng.next() >= CR) continue;
        const v = pop[r1].real[i] + weight * (pop[r2].real[i] - pop[r3].real[i]);
        trial[i] = bounceBack(v, x[i], high[i], rng);
      }
      if (rng.next() < mutationProb) {
        for (let i = 0; i < n; i++) {
          if (rng.next() < geneProb) trial[i] = polynomialStep(trial[i], 0, high[i], mutationEta, rng);
        }
      }
      return trial;
    });
    const challengers = evaluate(problem, trials, rng);
    pop = pop.map((incumbent, k) => (isNoWorse(challengers[k], incumbent) ? challengers[k] : incumbent));
  }

  const seen = new Set<string>();
  const best = pop.slice().sort(compareMembers).filter((member) => {
    const key = geneKey(member.genes);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { X: best.map((m) => m.genes), F: best.map((m) => m.f), CV: best.map((m) => m.cv) };
}

function evaluate(problem: Problem, reals: number[][], rng: Prng): Member[] {
  const members = reals.map((real) => {
    // The min catches a value exactly at the open end, which the mutation's clipping can produce.
    const genes = real.map((v, i) => Math.min(problem.upper[i], Math.floor(v)));
    if (problem.repair === undefined) return { real, genes };
    const repaired = problem.repair(genes, rng);
    assertGenesInBounds(repaired, problem.upper, 'repaired individual');
    // Keep the real vector consistent with the repaired genes, preserving the position inside each interval.
    return { real: real.map((v, i) => (repaired[i] === genes[i] ? v : repaired[i] + (v - Math.floor(v)))), genes: repaired };
  });
  const { F, CV } = evaluateBatch(problem, members.map((m) => m.genes));
  return members.map((m, k) => ({ ...m, f: F[k][0], cv: CV[k] }));
}

function distinctPartners(popSize: number, target: number, rng: Prng): [number, number, number] {
  const chosen: number[] = [];
  while (chosen.length < 3) {
    const r = rng.int(popSize);
    if (r !== target && !chosen.includes(r)) chosen.push(r);
  }
  return [chosen[0], chosen[1], chosen[2]];
}

/** pymoo's repair for DE: a component that left [0, high) is redrawn between the target's value and the bound. */
function bounceBack(v: number, parent: number, high: number, rng: Prng): number {
  if (v < 0) return rng.next() * parent;
  if (v >= high) return parent + rng.next() * (high - parent);
  return v;
}

function compareMembers(a: Member, b: Member): number {
  if (a.cv > 0 || b.cv > 0) return a.cv - b.cv;
  return a.f - b.f;
}

/** Ties go to the challenger so that the population can drift across plateaus, which integer decoding creates. */
function isNoWorse(challenger: Member, incumbent: Member): boolean {
  return compareMembers(challenger, incumbent) <= 0;
}
