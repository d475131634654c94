import type { Logger } from 'pino';
import type { SubnetConfig } from '../space/config.ts';

export type Stats = Record<string, unknown>;

/** What an evaluator says of one config: its stats, or why it could not be evaluated. */
export type EvalOutcome = { ok: true; stats: Stats } | { ok: false; reason: string };

export interface EvalRequest {
  config: SubnetConfig;
  /** Folder of this candidate in the run (`iter_N/net_i`), for checkpoints and logs. */
  dir: string;
  iteration: number;
  index: number;
  /** The archive's current alpha_norm, for evaluators that report top1_robust (FlatNAS). */
  alphaNorm: number;
}

/**
 * Turns configs into stats. Implementations: `analytic` (cost model), `synthetic` (a test problem), and in
 * later stages training and on-device measurement. A failure of one config never affects the others.
 */
export interface Evaluator {
  readonly name: string;
  /** Stats keys this evaluator writes. */
  readonly keys: readonly string[];
  /**
   * Keys that depend on the config alone and are cheap: the optimiser computes them exactly instead of
   * predicting them with a surrogate.
   */
  readonly exactKeys: readonly string[];
  /** The exact keys among `keys` for one config. */
  exact(config: SubnetConfig, keys: readonly string[]): Record<string, number>;
  evaluate(requests: readonly EvalRequest[], onDone?: (index: number, outcome: EvalOutcome) => void): Promise<EvalOutcome[]>;
  /** What a run should record about the evaluator (backend, weights source ...). */
  readonly info?: Readonly<Record<string, unknown>>;
  /** Receives the run's logger once the run directory exists. */
  useLogger?(logger: Logger): void;
}
