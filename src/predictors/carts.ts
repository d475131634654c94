import { DecisionTreeRegression } from 'ml-cart';
import { Prng } from '../util/prng.ts';
import { permutation } from './permutation.ts';
import type { Surrogate } from './surrogate.ts';
import { checkQueryData, checkTrainingData } from './training-data.ts';

export interface CartsOptions {
  seed: number;
  /**
   * CNAS grew 5000 trees with sklearn's C implementation. ml-cart is pure JS and re-scores every candidate
   * split from scratch (about 15 ms per tree on 150 x 45 encodings, 60 ms on 300 x 45), so 5000 trees would
   * take minutes per fit. On our benchmarks the ensemble's Kendall tau stops improving at about 100 trees;
   * 200 leaves a margin for noisier landscapes at about 3 s per fit on 150 points.
   */
  trees?: number;
}

export const DEFAULT_CART_TREES = 200;

interface FeatureTree {
  features: number[];
  tree: DecisionTreeRegression;
}

/**
 * Random-subspace ensemble of fully grown regression trees: each tree sees all samples but only a random
 * subset (of uniformly random size in [1, nvar]) of the variables; the prediction is the mean over trees.
 */
export class CartsEnsemble implements Surrogate {
  readonly name = 'carts';
  private readonly seed: number;
  private readonly treeCount: number;
  private nvar: number | undefined;
  private ensemble: FeatureTree[] = [];

  constructor(options: CartsOptions) {
    this.seed = options.seed;
    this.treeCount = options.trees ?? DEFAULT_CART_TREES;
    if (!Number.isInteger(this.treeCount) || this.treeCount < 1) {
      throw new Error(`carts: trees must be a positive integer, got ${this.treeCount}`);
    }
  }

  async fit(X: number[][], y: number[]): Promise<void> {
    const nvar = checkTrainingData(this.name, X, y);
    // Reseeded per fit so that refitting on the same data gives the same ensemble.
    const prng = new Prng(this.seed);
    this.ensemble = Array.from({ length: this.treeCount }, () => {
      const features = permutation(nvar, prng).slice(0, 1 + prng.int(nvar));
      // minNumSamples 1 grows the tree until leaves are pure, like sklearn's defaults.
      const tree = new DecisionTreeRegression({ minNumSamples: 1 });
      tree.train(select(X, features), y);
      return { features, tree };
    });
    this.nvar = nvar;
  }

  predict(X: number[][]): number[] {
    checkQueryData(this.name, X, this.nvar);
    if (X.length === 0) return [];
    const sums = new Float64Array(X.length);
    for (const { features, tree } of this.ensemble) {
      tree.predict(select(X, features)).forEach((value, i) => (sums[i] += value));
    }
    return Array.from(sums, (sum) => sum / this.ensemble.length);
  }
}

function select(X: readonly number[][], features: readonly number[]): number[][] {
  return X.map((row) => features.map((f) => row[f]));
}
