import { z } from 'zod';
import { DEFAULT_TINY_ML } from '../graph/tiny-ml.ts';
import { SPACE_NAMES } from '../space/definition.ts';
import { SURROGATE_KINDS } from '../predictors/surrogate.ts';

const MEMBER_KINDS = ['rbf', 'carts', 'gp', 'mlp'] as const;
import { CONSTRAINT_FLAGS, OBJECTIVE_KEYS } from './objectives.ts';
import type { Constraint } from './objectives.ts';

export const EVALUATOR_NAMES = ['synthetic', 'analytic', 'train'] as const;
export const BACKEND_NAMES = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'webgpu', 'cpu'] as const;
export const SUBSET_METHODS = ['hv-contribution', 'spread'] as const;
/** How the measured keys of several boards combine: the worst board, or also one key per board. */
export const BOARD_AGGREGATIONS = ['max', 'each'] as const;
/** Where tiny_ml's memory terms come from: the cost model's params and activations, or the board's flash and arena. */
export const TINY_ML_SOURCES = ['cost', 'measured'] as const;

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const objective = z.enum(OBJECTIVE_KEYS as [string, ...string[]]);
const limit = z.number().positive().optional();

/**
 * Every setting of a search, with CNAS's names (snake_case, as in `run.json` and `--config` files). The
 * resolved set is written to `<save>/run.json` so that a run can be reproduced and resumed.
 */
export const searchOptionsSchema = z.strictObject({
  save: z.string().min(1),
  search_space: z.enum(SPACE_NAMES),
  width_mult: z.number().positive(),
  space_file: z.string().optional(),
  lr: positiveInt.min(32),
  ur: positiveInt.min(32),
  rstep: positiveInt,
  n_classes: positiveInt,
  evaluator: z.enum(EVALUATOR_NAMES),
  first_obj: objective,
  sec_obj: z.array(objective),
  first_predictor: z.enum(SURROGATE_KINDS),
  sec_predictor: z.enum(SURROGATE_KINDS),
  /** Models adaptive switching (`as`) chooses from. */
  as_pool: z.array(z.enum(MEMBER_KINDS)).nonempty(),
  mlp_epochs: positiveInt,
  iterations: nonNegativeInt,
  n_doe: positiveInt,
  n_iter: positiveInt,
  seed: nonNegativeInt,
  pop_size: positiveInt.min(2),
  generations: positiveInt,
  crossover: z.enum(['two-point', 'uniform']),
  subset: z.enum(SUBSET_METHODS),
  patience: positiveInt,
  pmax: z.number(),
  mmax: z.number(),
  amax: z.number(),
  wp: z.number(),
  wm: z.number(),
  wa: z.number(),
  penalty: z.number(),
  tiny_ml_source: z.enum(TINY_ML_SOURCES),
  alpha: z.number().min(0).max(1),
  max_params: limit,
  max_macs: limit,
  max_activations: limit,
  max_ram_kb: limit,
  max_flash_kb: limit,
  max_latency_ms: limit,
  eval_delay_ms: nonNegativeInt,
  dataset: z.string().min(1),
  data: z.string().optional(),
  val_split: z.number().min(0).lt(1),
  synthetic_size: positiveInt,
  n_epochs: nonNegativeInt,
  trn_batch_size: positiveInt.min(2),
  learning_rate: z.number().positive(),
  weight_decay: z.number().min(0),
  supernet: z.string().optional(),
  recalib_batches: positiveInt,
  backend: z.enum(BACKEND_NAMES),
  eval_robust: z.boolean(),
  sigma_min: z.number().min(0),
  sigma_max: z.number().min(0),
  sigma_step: z.number().min(0),
  robust_draws: positiveInt,
  /** Candidates evaluated at the same time, each in its own process. */
  workers: positiveInt,
  /** GPU ids handed to the workers in turn (CUDA_VISIBLE_DEVICES), e.g. ["0", "1"]. */
  gpus: z.array(z.string().regex(/^\d+$/)),
  trainer_type: z.enum(['single_exit', 'multi_exits']),
  /** Early-exit training: joint (EDANAS) or bernulli (NACHOS); default from the space. */
  method: z.enum(['joint', 'bernulli']).optional(),
  ee_epochs: nonNegativeInt,
  warmup_ee_epochs: nonNegativeInt,
  ee_lr: z.number().positive(),
  w_alpha: z.number(),
  w_beta: z.number(),
  w_gamma: z.number(),
  support_set: z.boolean(),
  tune_epsilon: z.boolean(),
  top1min: z.number().min(0).max(1),
  /** Board selectors the measured keys come from; none: no on-device measurement. */
  board: z.array(z.string().min(1)),
  board_agg: z.enum(BOARD_AGGREGATIONS),
  /** Measure on simulated boards of the --board profiles, through an in-process hub and agent. */
  simulate: z.boolean(),
  /** Hub to submit the measurements to (the token is not an option: it stays out of run.json). */
  hub: z.string().optional(),
  /** A measurement not back in this time fails its candidate (e.g. no connected board matches). */
  measure_timeout_s: z.number().positive(),
});

export type SearchOptions = z.infer<typeof searchOptionsSchema>;

export const DEFAULT_SEARCH_OPTIONS: SearchOptions = {
  save: '.tmp',
  search_space: 'mobilenetv3',
  width_mult: 1.0,
  lr: 224,
  ur: 224,
  rstep: 4,
  n_classes: 1000,
  evaluator: 'synthetic',
  first_obj: 'top1',
  sec_obj: [],
  first_predictor: 'rbf',
  sec_predictor: 'rbf',
  // CNAS's pool is rbf, carts, mlp; but an mlp fit of 2000 epochs takes minutes on a CPU and `as` refits it 11
  // times per iteration, so the default pool leaves it out (add it with --as-pool rbf carts mlp).
  as_pool: ['rbf', 'carts', 'gp'],
  mlp_epochs: 2000,
  iterations: 30,
  n_doe: 100,
  n_iter: 8,
  seed: 0,
  pop_size: 40,
  generations: 20,
  crossover: 'two-point',
  subset: 'hv-contribution',
  patience: 10,
  ...DEFAULT_TINY_ML,
  tiny_ml_source: 'cost',
  alpha: 0.5,
  eval_delay_ms: 0,
  dataset: 'synthetic',
  val_split: 0.2,
  synthetic_size: 2000,
  n_epochs: 5,
  trn_batch_size: 128,
  learning_rate: 0.1,
  weight_decay: 5e-5,
  recalib_batches: 10,
  backend: 'auto',
  eval_robust: false,
  sigma_min: 0.05,
  sigma_max: 0.05,
  sigma_step: 0,
  robust_draws: 20,
  workers: 1,
  gpus: [],
  trainer_type: 'single_exit',
  ee_epochs: 5,
  warmup_ee_epochs: 2,
  ee_lr: 0.01,
  w_alpha: 1,
  w_beta: 1,
  w_gamma: 1,
  support_set: false,
  tune_epsilon: false,
  top1min: 0,
  board: [],
  board_agg: 'max',
  simulate: false,
  measure_timeout_s: 600,
};

/** An options file or layer that is not valid; names the source and the field. */
export class OptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionsError';
  }
}

/** Checks a partial layer (a `--config` file, a saved run.json) and returns it typed. */
export function parseOptionsLayer(raw: unknown, source: string): Partial<SearchOptions> {
  const parsed = searchOptionsSchema.partial().safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
    throw new OptionsError(`${source}: field "${field}": ${issue.message}`);
  }
  return parsed.data;
}

/** Later layers win; `undefined` values do not override. The result is checked as a whole. */
export function resolveSearchOptions(...layers: Partial<SearchOptions>[]): SearchOptions {
  const merged: Record<string, unknown> = { ...DEFAULT_SEARCH_OPTIONS };
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) if (value !== undefined) merged[key] = value;
  }
  const options = parseOptionsLayer(merged, 'options') as SearchOptions;
  if (options.lr > options.ur) throw new OptionsError(`options: ur (${options.ur}) is below lr (${options.lr})`);
  const objectives = [options.first_obj, ...options.sec_obj];
  if (new Set(objectives).size !== objectives.length) throw new OptionsError(`options: objectives repeat: ${objectives.join(', ')}`);
  if (options.tiny_ml_source === 'measured' && options.board.length === 0) {
    throw new OptionsError('--tiny-ml measured (tiny_ml_source) needs boards to measure on: give --board <profile> with --simulate or --hub <url>, or use --tiny-ml cost');
  }
  return options;
}

export function objectivesOf(options: SearchOptions): string[] {
  return [options.first_obj, ...options.sec_obj];
}

export function constraintsOf(options: SearchOptions): Constraint[] {
  const out: Constraint[] = [];
  for (const { key } of CONSTRAINT_FLAGS) {
    const max = options[`max_${key}` as keyof SearchOptions];
    if (typeof max === 'number') out.push({ key, max });
  }
  return out;
}
