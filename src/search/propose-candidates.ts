import { canonicalGenes, decodeGenes, genesKey } from '../space/encoding.ts';
import type { SubnetConfig } from '../space/config.ts';
import type { SearchSpace } from '../space/definition.ts';
import { createSurrogate } from '../predictors/create-surrogate.ts';
import type { SurrogateOptions } from '../predictors/create-surrogate.ts';
import type { SurrogateKind } from '../predictors/surrogate.ts';
import { objectiveMatrix, violations } from './archive.ts';
import type { ValueOf } from './objective-values.ts';
import type { ArchiveEntry } from './archive.ts';
import { differentialEvolution } from './de.ts';
import { nonDominatedSort } from './dominance.ts';
import type { Evaluator } from './evaluator.ts';
import { nsga2 } from './nsga2.ts';
import type { Constraint } from './objectives.ts';
import type { Problem } from './problem.ts';
import { OptionsError } from './search-options.ts';
import { selectSubset } from './subset-selection.ts';
import type { SubsetMethod } from './subset-selection.ts';
import { surrogateProblem } from './surrogate-problem.ts';
import type { KeyModel } from './surrogate-problem.ts';

export interface ProposeSettings {
  space: SearchSpace;
  evaluator: Evaluator;
  objectives: readonly string[];
  constraints: readonly Constraint[];
  /** Surrogate kind for each key that needs one. */
  predictorFor: (key: string) => SurrogateKind;
  surrogateOptions: Omit<SurrogateOptions, 'seed'>;
  k: number;
  popSize: number;
  generations: number;
  crossover: 'two-point' | 'uniform';
  subset: SubsetMethod;
  refPt?: readonly number[];
  seed: number;
  valueOf: ValueOf;
}

export interface SurrogateInfo {
  key: string;
  model: SurrogateKind | 'exact';
  name: string;
  winner?: string;
}

export interface Proposal {
  configs: SubnetConfig[];
  /** Predicted (or exactly computed) value of every objective and constraint key, per proposed config. */
  predicted: Record<string, number>[];
  surrogates: SurrogateInfo[];
}

/** Fits one model per objective/constraint key on the archive; keys the evaluator computes exactly need none. */
async function fitModels(archive: readonly ArchiveEntry[], keys: readonly string[], s: ProposeSettings): Promise<{ models: Map<string, KeyModel>; info: SurrogateInfo[] }> {
  const models = new Map<string, KeyModel>();
  const info: SurrogateInfo[] = [];
  const X = archive.map((e) => e.genes);
  for (const [i, key] of keys.entries()) {
    if (s.evaluator.exactKeys.includes(key)) {
      models.set(key, { kind: 'exact' });
      info.push({ key, model: 'exact', name: `${s.evaluator.name} cost model` });
      continue;
    }
    const kind = s.predictorFor(key);
    if (archive.length <= archive[0].genes.length) {
      throw new OptionsError(`only ${archive.length} architectures were evaluated successfully, but the ${kind} surrogate of "${key}" needs more than the ${archive[0].genes.length} genes; raise --n-doe or see failed/`);
    }
    const surrogate = createSurrogate(kind, { ...s.surrogateOptions, seed: s.seed + i });
    await surrogate.fit(X, archive.map((e) => s.valueOf(e, key)));
    models.set(key, { kind: 'surrogate', surrogate });
    const winner = (surrogate as { winner?: string }).winner;
    info.push({ key, model: kind, name: surrogate.name, ...(winner !== undefined && { winner }) });
  }
  return { models, info };
}

/** Every individual an optimiser evaluated, so that candidates can come from its whole history. */
interface History {
  X: number[][];
  F: number[][];
  CV: number[];
}

function recordingProblem(problem: Problem, history: History): Problem {
  return {
    ...problem,
    evaluate(pop) {
      const result = problem.evaluate(pop);
      const CV = result.CV ?? new Array<number>(pop.length).fill(0);
      pop.forEach((x, i) => {
        history.X.push(x);
        history.F.push(result.F[i]);
        history.CV.push(CV[i]);
      });
      return { F: result.F, CV };
    },
  };
}

/** Indices of history individuals whose config is neither in the archive nor earlier in the history. */
function newIndividuals(space: SearchSpace, history: History, archive: readonly ArchiveEntry[]): number[] {
  const seen = new Set(archive.map((e) => e.key));
  const keep: number[] = [];
  history.X.forEach((x, i) => {
    const key = genesKey(canonicalGenes(space, x));
    if (seen.has(key)) return;
    seen.add(key);
    keep.push(i);
  });
  return keep;
}

/**
 * The individuals k candidates are picked from: the best non-dominated fronts (constraint domination) of
 * everything the optimiser evaluated and the archive lacks, until they hold at least k. CNAS used only the
 * final population, which in a converged run is mostly the archive itself and left nothing to evaluate.
 */
function candidatePool(history: History, fresh: readonly number[], k: number): number[] {
  const fronts = nonDominatedSort(
    fresh.map((i) => history.F[i]),
    fresh.map((i) => history.CV[i]),
  );
  const pool: number[] = [];
  for (const front of fronts) {
    if (pool.length >= k) break;
    pool.push(...front.map((j) => fresh[j]));
  }
  return pool;
}

/** What the models say of every key for the chosen individuals, to judge them once the truth is known. */
function predictedRecords(X: number[][], keys: readonly string[], s: ProposeSettings, models: Map<string, KeyModel>): Record<string, number>[] {
  if (X.length === 0) return [];
  const all = surrogateProblem({ space: s.space, evaluator: s.evaluator, objectives: keys, constraints: [], models });
  return all.evaluate(X).F.map((f) => Object.fromEntries(keys.map((k, j) => [k, f[j]])));
}

/**
 * One surrogate step of the search: fit models on the archive, optimise the auxiliary problem (NSGA-II from
 * the archive's front for several objectives, DE for one), drop configs already evaluated, and pick k.
 */
export async function proposeCandidates(archive: readonly ArchiveEntry[], s: ProposeSettings): Promise<Proposal> {
  const keys = [...s.objectives, ...s.constraints.map((c) => c.key)].filter((k, i, all) => all.indexOf(k) === i);
  const { models, info } = await fitModels(archive, keys, s);
  const problem = surrogateProblem({ space: s.space, evaluator: s.evaluator, objectives: s.objectives, constraints: s.constraints, models });

  const history: History = { X: [], F: [], CV: [] };
  const recorded = recordingProblem(problem, history);
  let chosen: number[][];
  if (s.objectives.length === 1) {
    differentialEvolution(recorded, { popSize: s.popSize, generations: s.generations, seed: s.seed });
    chosen = newIndividuals(s.space, history, archive)
      .sort((a, b) => history.CV[a] - history.CV[b] || history.F[a][0] - history.F[b][0])
      .slice(0, s.k)
      .map((i) => history.X[i]);
  } else {
    const F = objectiveMatrix(archive, s.objectives, s.valueOf);
    const CV = violations(archive, s.constraints);
    const front = nonDominatedSort(F, CV)[0] ?? [];
    nsga2(recorded, {
      popSize: s.popSize,
      generations: s.generations,
      crossover: s.crossover,
      seed: s.seed,
      initial: front.map((i) => archive[i].genes),
    });
    const pool = candidatePool(history, newIndividuals(s.space, history, archive), s.k);
    const picked = selectSubset(
      pool.map((i) => history.F[i]),
      front.filter((i) => CV[i] === 0).map((i) => F[i]),
      { k: s.k, method: s.subset, ...(s.refPt && { refPt: s.refPt }), seed: s.seed },
    );
    chosen = picked.map((j) => history.X[pool[j]]);
  }
  return {
    configs: chosen.map((x) => decodeGenes(s.space, x)),
    predicted: predictedRecords(chosen, keys, s, models),
    surrogates: info,
  };
}
