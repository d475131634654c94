/**
 * A regression model over architecture encodings (N x nvar numbers, integer genes in practice) that the
 * search queries instead of training candidate networks.
 *
 * `fit` is async for every surrogate, not only the TF.js one, so that callers (and adaptive switching,
 * which fits whatever kind won) never need to know which model they hold. `predict` stays synchronous.
 */
export interface Surrogate {
  readonly name: string;
  fit(X: number[][], y: number[]): Promise<void>;
  predict(X: number[][]): number[];
}

export const SURROGATE_KINDS = ['rbf', 'carts', 'gp', 'mlp', 'as'] as const;
export type SurrogateKind = (typeof SURROGATE_KINDS)[number];

/** The kinds adaptive switching can choose between (everything but itself). */
export type MemberKind = Exclude<SurrogateKind, 'as'>;

export function isSurrogateKind(kind: string): kind is SurrogateKind {
  return (SURROGATE_KINDS as readonly string[]).includes(kind);
}
