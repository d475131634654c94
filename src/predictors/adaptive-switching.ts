import { Prng } from '../util/prng.ts';
import { createMember } from './members.ts';
import type { MemberOptions } from './members.ts';
import { kendallTau } from './metrics.ts';
import { permutation } from './permutation.ts';
import type { MemberKind, Surrogate } from './surrogate.ts';
import { checkTrainingData } from './training-data.ts';

export const DEFAULT_POOL: readonly MemberKind[] = ['rbf', 'carts', 'mlp'];
export const DEFAULT_FOLDS = 10;

export interface AdaptiveSwitchingOptions extends MemberOptions {
  pool?: readonly MemberKind[];
  folds?: number;
}

/** How one pool member fared in cross-validation. */
export interface CrossValidationScore {
  kind: MemberKind;
  /**
   * Kendall tau per fold. NaN where the fold cannot rank anything (fewer than two distinct targets), such
   * folds being left out of the score; 0 where the member predicted a constant, which ranks nothing.
   */
  taus: number[];
  /** mean(tau) - std(tau) over the folds where tau is defined: rewards members that rank well consistently. */
  score: number;
}

/**
 * CNAS's adaptive switching: k-fold cross-validates every pool member, keeps the one with the best
 * mean - std of Kendall tau, and refits it on all the data. Each fit redoes the selection, so the winner
 * can change as the archive grows.
 */
export class AdaptiveSwitching implements Surrogate {
  readonly name = 'adaptive switching';
  private readonly pool: readonly MemberKind[];
  private readonly folds: number;
  private readonly memberOptions: MemberOptions;
  private chosen: Surrogate | undefined;
  private chosenKind: MemberKind | undefined;
  private lastScores: CrossValidationScore[] = [];

  constructor(options: AdaptiveSwitchingOptions) {
    const { pool = DEFAULT_POOL, folds = DEFAULT_FOLDS, ...memberOptions } = options;
    if (pool.length === 0) throw new Error('adaptive switching: the pool is empty');
    if (!Number.isInteger(folds) || folds < 2) throw new Error(`adaptive switching: folds must be an integer >= 2, got ${folds}`);
    this.pool = [...new Set(pool)];
    this.folds = folds;
    this.memberOptions = memberOptions;
  }

  /** The kind chosen by the last fit. */
  get winner(): MemberKind | undefined {
    return this.chosenKind;
  }

  /** Cross-validation results of the last fit, in pool order. */
  get scores(): readonly CrossValidationScore[] {
    return this.lastScores;
  }

  async fit(X: number[][], y: number[]): Promise<void> {
    checkTrainingData(this.name, X, y);
    if (X.length < this.folds) {
      throw new Error(`adaptive switching: ${this.folds}-fold cross-validation needs at least ${this.folds} points, got ${X.length}`);
    }
    const prng = new Prng(this.memberOptions.seed);
    const order = permutation(X.length, prng);
    const taus = this.pool.map((): number[] => []);
    for (const testIdx of splitIntoFolds(order, this.folds)) {
      const held = new Set(testIdx);
      const trainIdx = order.filter((i) => !held.has(i));
      const actual = pick(y, testIdx);
      const rankable = new Set(actual).size >= 2;
      for (const [j, kind] of this.pool.entries()) {
        const member = createMember(kind, { ...this.memberOptions, seed: prng.nextUint32() });
        await member.fit(pick(X, trainIdx), pick(y, trainIdx));
        const tau = rankable ? kendallTau(member.predict(pick(X, testIdx)), actual) : NaN;
        taus[j].push(rankable && Number.isNaN(tau) ? 0 : tau);
      }
    }
    const scores = this.pool.map((kind, j) => ({ kind, taus: taus[j], score: consistency(taus[j]) }));
    // First best wins ties, so the pool order is the tie-break, as with numpy's argmax.
    const best = scores.reduce((a, b) => (b.score > a.score || Number.isNaN(a.score) ? b : a));
    if (Number.isNaN(best.score)) {
      throw new Error('adaptive switching: no fold has two distinct targets to rank (are the targets constant?)');
    }
    const winner = createMember(best.kind, { ...this.memberOptions, seed: prng.nextUint32() });
    await winner.fit(X, y);
    this.lastScores = scores;
    this.chosenKind = best.kind;
    this.chosen = winner;
  }

  predict(X: number[][]): number[] {
    if (this.chosen === undefined) throw new Error(`${this.name}: predict called before fit`);
    return this.chosen.predict(X);
  }
}

function pick<T>(values: readonly T[], indices: readonly number[]): T[] {
  return indices.map((i) => values[i]);
}

/** numpy.array_split: the first (n mod k) folds get one element more. */
export function splitIntoFolds<T>(items: readonly T[], k: number): T[][] {
  const base = Math.floor(items.length / k);
  const larger = items.length % k;
  const folds: T[][] = [];
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = base + (f < larger ? 1 : 0);
    folds.push(items.slice(start, start + size));
    start += size;
  }
  return folds;
}

/** mean - population std (numpy's default ddof 0) of the defined values; NaN when none is defined. */
function consistency(values: readonly number[]): number {
  const defined = values.filter((v) => !Number.isNaN(v));
  if (defined.length === 0) return NaN;
  const mean = defined.reduce((s, v) => s + v, 0) / defined.length;
  const variance = defined.reduce((s, v) => s + (v - mean) ** 2, 0) / defined.length;
  return mean - Math.sqrt(variance);
}
