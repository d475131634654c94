import type { SearchSpace } from '../../space/definition.ts';
import { selectBackend } from '../../nn/backend/backend.ts';
import { Supernet } from '../../nn/supernet/supernet.ts';
import { TrainEvaluator } from '../../nn/train-evaluator.ts';
import { trainingData } from '../../nn/training-data.ts';
import type { Evaluator } from '../evaluator.ts';
import { objectiveInfo } from '../objectives.ts';
import { constraintsOf, objectivesOf, OptionsError } from '../search-options.ts';
import { sigmaGrid } from '../../nn/robustness.ts';
import type { SearchOptions } from '../search-options.ts';
import { AnalyticEvaluator } from './analytic.ts';
import { MeasuredEvaluator } from './measured.ts';
import type { MeasureFn } from './measured.ts';
import type { CostSettings } from './analytic.ts';
import { SyntheticEvaluator } from './synthetic.ts';

export function costSettings(options: SearchOptions): CostSettings {
  return {
    classes: options.n_classes,
    resolution: options.lr,
    tinyMl: options,
  };
}

/** Early-exit training settings; the method follows the space unless given, and must fit its heads. */
export function exitSettings(o: SearchOptions) {
  const method = o.method ?? (o.search_space === 'cbnmobilenetv3' ? 'bernulli' : 'joint');
  const fits = (method === 'joint' && o.search_space === 'eemobilenetv3') || (method === 'bernulli' && o.search_space === 'cbnmobilenetv3');
  if (!fits) {
    throw new OptionsError(`--trainer-type multi_exits --method ${method} needs --search-space ${method === 'joint' ? 'eemobilenetv3' : 'cbnmobilenetv3'} (got ${o.search_space})`);
  }
  return {
    method,
    epochs: o.ee_epochs,
    warmupEpochs: o.warmup_ee_epochs,
    lr: o.ee_lr,
    wAlpha: o.w_alpha,
    wBeta: o.w_beta,
    wGamma: o.w_gamma,
    supportSet: o.support_set,
    tuneEpsilon: o.tune_epsilon,
    ...(o.mmax < 1e10 && { mmax: o.mmax }),
    ...(o.top1min > 0 && { top1min: o.top1min }),
  };
}

/** What a training evaluator needs loaded first; failures name the option (bad input, exit 2). */
async function trainEvaluator(options: SearchOptions, space: SearchSpace): Promise<Evaluator> {
  const backend = await selectBackend(options.backend).catch((err: Error) => {
    throw new OptionsError(`--backend ${options.backend}: ${err.message}`);
  });
  let data;
  try {
    data = trainingData({ dataset: options.dataset, dir: options.data, valSplit: options.val_split, syntheticSize: options.synthetic_size, classes: options.n_classes, seed: options.seed });
  } catch (err) {
    throw new OptionsError(`--dataset ${options.dataset}: ${(err as Error).message}`);
  }
  let supernet: Supernet | undefined;
  if (options.supernet !== undefined) {
    try {
      supernet = Supernet.load(options.supernet, space, options.n_classes);
    } catch (err) {
      throw new OptionsError(`--supernet ${options.supernet}: ${(err as Error).message}`);
    }
  }
  const settings = {
    epochs: options.n_epochs,
    batchSize: options.trn_batch_size,
    learningRate: options.learning_rate,
    weightDecay: options.weight_decay,
    recalibrationBatches: options.recalib_batches,
    seed: options.seed,
    ...(options.trainer_type === 'multi_exits' && { exits: exitSettings(options) }),
    ...((options.eval_robust || objectivesOf(options).includes('top1_robust')) && {
      robustness: { sigma: sigmaGrid(options.sigma_min, options.sigma_max, options.sigma_step)[0], draws: options.robust_draws },
    }),
  };
  const info = {
    backend: backend.name,
    ...(backend.fellBackFrom && { unavailable_backends: backend.fellBackFrom }),
    weights: supernet ? `supernet ${options.supernet}` : 'seeded random (no --supernet)',
    dataset: options.dataset,
    train_images: data.train.size,
    validation_images: data.validation.size,
  };
  return new TrainEvaluator(space, costSettings(options), data, settings, info, supernet);
}

/** Calibration images of the int8 export before measuring: few, since only ranges of random weights are at stake. */
const MEASURE_CALIBRATION_IMAGES = 8;

/**
 * A measured key that the evaluator cannot provide without a board is refused here, naming the fix; the cost
 * model's own `ram_kb` and `flash_kb` estimates stay usable without boards.
 */
function checkMeasuredKeys(options: SearchOptions, evaluator: Evaluator): void {
  if (options.board.length > 0) return;
  const used = [...objectivesOf(options), ...constraintsOf(options).map((c) => c.key)];
  const key = used.find((k) => objectiveInfo(k)?.source === 'measured' && !evaluator.keys.includes(k));
  if (key !== undefined) {
    throw new OptionsError(`the ${evaluator.name} evaluator does not provide "${key}"; it provides: ${evaluator.keys.join(', ')}; ${key} is measured on a board: give --board <profile> with --simulate or --hub <url>`);
  }
}

export async function createEvaluator(options: SearchOptions, space: SearchSpace): Promise<Evaluator> {
  const evaluator =
    options.evaluator === 'train'
      ? await trainEvaluator(options, space)
      : options.evaluator === 'analytic'
        ? new AnalyticEvaluator(space, costSettings(options))
        : new SyntheticEvaluator(space, costSettings(options), options.eval_delay_ms);
  checkMeasuredKeys(options, evaluator);
  return evaluator;
}

/** The evaluator measuring on `options.board` through `measure` (the fleet lives outside src/). */
export function measuredEvaluator(inner: Evaluator, options: SearchOptions, space: SearchSpace, measure: MeasureFn): Evaluator {
  return new MeasuredEvaluator(inner, space, costSettings(options), measure, {
    boards: options.board,
    agg: options.board_agg,
    seed: options.seed,
    calibrationImages: MEASURE_CALIBRATION_IMAGES,
    tinyMl: options.tiny_ml_source,
  });
}
