import { canonicalGenes, decodeGenes, genesKey, geneUpperBounds } from '../space/encoding.ts';
import type { SearchSpace } from '../space/definition.ts';
import type { Surrogate } from '../predictors/surrogate.ts';
import type { Prng } from '../util/prng.ts';
import type { Evaluator } from './evaluator.ts';
import { constraintViolation } from './objectives.ts';
import type { Constraint } from './objectives.ts';
import type { Problem } from './problem.ts';

/** How the optimiser gets one key: exactly from the evaluator's cost model, or from a fitted surrogate. */
export type KeyModel = { kind: 'exact' } | { kind: 'surrogate'; surrogate: Surrogate };

export interface SurrogateProblemSpec {
  space: SearchSpace;
  evaluator: Evaluator;
  objectives: readonly string[];
  constraints: readonly Constraint[];
  models: ReadonlyMap<string, KeyModel>;
}

/**
 * Sets the exit flags of a `cbnmobilenetv3` individual that has none: one boundary, chosen at random, gets an
 * exit. (CNAS scored such vectors with a constant 150 instead.)
 */
export function repairExitFlags(space: SearchSpace, genes: number[], rng: Prng): number[] {
  if (space.exitKind !== 'flag') return genes;
  const start = space.nStages * (1 + 2 * space.maxDepth);
  const flags = genes.slice(start, start + space.nBoundaries);
  if (flags.includes(1)) return genes;
  const out = genes.slice();
  out[start + rng.int(space.nBoundaries)] = 1;
  return out;
}

/**
 * The auxiliary problem NSGA-II and DE optimise: objectives and constraints of an integer gene vector, exact
 * where the evaluator can compute them from the config (memoised), predicted otherwise. Every candidate is
 * costed at its own resolution (CNAS used 32 px for fixed-resolution spaces).
 */
export function surrogateProblem(spec: SurrogateProblemSpec): Problem {
  const keys = [...spec.objectives, ...spec.constraints.map((c) => c.key)];
  const exactKeys = keys.filter((k) => spec.models.get(k)?.kind === 'exact');
  const cache = new Map<string, Record<string, number>>();
  const upper = geneUpperBounds(spec.space);
  return {
    nGenes: upper.length,
    upper,
    nObjectives: spec.objectives.length,
    repair: (x, rng) => repairExitFlags(spec.space, x, rng),
    evaluate(pop) {
      const canonical = pop.map((x) => canonicalGenes(spec.space, x));
      const columns = new Map<string, number[]>();
      for (const key of keys) {
        const model = spec.models.get(key);
        if (model?.kind === 'surrogate') columns.set(key, model.surrogate.predict(canonical));
      }
      if (exactKeys.length > 0) {
        const exact = canonical.map((x) => {
          const id = genesKey(x);
          let values = cache.get(id);
          if (!values) {
            values = spec.evaluator.exact(decodeGenes(spec.space, x), exactKeys);
            cache.set(id, values);
          }
          return values;
        });
        for (const key of exactKeys) columns.set(key, exact.map((v) => v[key]));
      }
      const F = pop.map((_, i) => spec.objectives.map((k) => columns.get(k)![i]));
      const CV = pop.map((_, i) => constraintViolation(spec.constraints.map((c) => columns.get(c.key)![i]), spec.constraints));
      return { F, CV };
    },
  };
}
