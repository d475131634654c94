import { CartsEnsemble } from './carts.ts';
import { Kriging } from './kriging.ts';
import { MlpSurrogate } from './mlp.ts';
import { CubicRbf } from './rbf.ts';
import type { MemberKind, Surrogate } from './surrogate.ts';

/** Options of the single-model surrogates; rbf and gp are deterministic and take none. */
export interface MemberOptions {
  seed: number;
  /** Trees in the carts ensemble (default DEFAULT_CART_TREES). */
  trees?: number;
  /** Training epochs of the mlp (default DEFAULT_MLP_EPOCHS). */
  epochs?: number;
}

export function createMember(kind: MemberKind, options: MemberOptions): Surrogate {
  switch (kind) {
    case 'rbf':
      return new CubicRbf();
    case 'carts':
      return new CartsEnsemble({ seed: options.seed, trees: options.trees });
    case 'gp':
      return new Kriging();
    case 'mlp':
      return new MlpSurrogate({ seed: options.seed, epochs: options.epochs });
  }
}
