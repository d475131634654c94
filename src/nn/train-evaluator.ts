import { join } from 'node:path';
import type { Logger } from 'pino';
import { Batcher } from '../data/batcher.ts';
import type { Dataset } from '../data/dataset.ts';
import type { SubnetConfig } from '../space/config.ts';
import type { SearchSpace } from '../space/definition.ts';
import { encodeConfig } from '../space/encoding.ts';
import { realise } from '../space/realise.ts';
import { costStats, COST_KEYS } from '../search/evaluators/analytic.ts';
import type { CostSettings } from '../search/evaluators/analytic.ts';
import type { EvalOutcome, EvalRequest, Evaluator, Stats } from '../search/evaluator.ts';
import { loadCheckpoint, saveCheckpoint } from './model/checkpoint.ts';
import { weightNoiseRobustness } from './robustness.ts';
import { trainExits } from './exits/train-exits.ts';
import type { TrainExitsOptions } from './exits/train-exits.ts';
import { disposeParams, initParams } from './model/params.ts';
import type { NetParams } from './model/params.ts';
import type { NetGraph } from '../graph/types.ts';
import { materialise, recalibrateBatchNorm } from './supernet/materialise.ts';
import type { Supernet } from './supernet/supernet.ts';
import { evaluate } from './train/evaluate.ts';
import { cosineLearningRate } from './train/schedule.ts';
import { Sgd } from './train/sgd.ts';
import { trainEpoch } from './train/trainer.ts';

export interface FineTuneSettings {
  epochs: number;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  /** Batches used to recalibrate batch-norm statistics of a subnet taken from the supernet. */
  recalibrationBatches: number;
  seed: number;
  /** FlatNAS: measure robustness to weight noise of the kept weights (with this sigma and draws). */
  robustness?: { sigma: number; draws: number };
  /** Early-exit networks (CNAS's multi_exits trainer): train the exits after the backbone epochs. */
  exits?: Omit<TrainExitsOptions, 'seed' | 'onEpoch'>;
}

/** A seed per config, so a candidate starts from the same random weights whenever it is evaluated. */
function configSeed(space: SearchSpace, config: SubnetConfig, seed: number): number {
  let h = seed >>> 0;
  for (const g of encodeConfig(space, config)) h = (Math.imul(h ^ g, 0x9e3779b1) + 0x7f4a7c15) >>> 0;
  return h;
}

/**
 * CNAS's train.py as an evaluator: take the candidate's weights from the supernet (or seeded random weights
 * without one), fine-tune for `epochs` (SGD with momentum, cosine schedule per epoch), keep the epoch with
 * the lowest validation loss, and report its top-1 error with the cost-model stats. The best weights are
 * saved in the candidate's folder (`ckpt/`).
 */
export class TrainEvaluator implements Evaluator {
  readonly name = 'train';
  readonly keys: readonly string[];
  readonly exactKeys: readonly string[] = COST_KEYS;

  constructor(
    private readonly space: SearchSpace,
    private readonly cost: CostSettings,
    private readonly data: { train: Dataset; validation: Dataset },
    private readonly settings: FineTuneSettings,
    readonly info: Readonly<Record<string, unknown>>,
    private readonly supernet?: Supernet,
  ) {
    this.keys = ['top1', ...(settings.robustness ? ['robustness'] : []), ...(settings.exits ? ['avg_macs', 'exits_ratio'] : []), ...COST_KEYS];
  }

  private logger?: Logger;

  useLogger(logger: Logger): void {
    this.logger = logger;
  }

  exact(config: SubnetConfig, keys: readonly string[]): Record<string, number> {
    return costStats(this.space, config, this.cost, keys);
  }

  /** Seeded random weights, the same for a config whenever it is evaluated. */
  private fresh(config: SubnetConfig, resolution: number): { graph: NetGraph; params: NetParams } {
    const graph = realise(this.space, config, { resolution, classes: this.cost.classes });
    return { graph, params: initParams(graph, configSeed(this.space, config, this.settings.seed)) };
  }

  private evaluateOne(request: EvalRequest): Stats {
    const s = this.settings;
    const resolution = request.config.r ?? this.cost.resolution;
    const started = Date.now();
    const batches = (dataset: Dataset, augment: boolean, seed: number): Batcher =>
      new Batcher(dataset, { batchSize: s.batchSize, seed, shuffle: augment, dropLast: augment && dataset.size > s.batchSize, augment, resolution });
    const { graph, params } = this.supernet ? materialise(this.supernet, request.config, { resolution, seed: s.seed }) : this.fresh(request.config, resolution);
    const optimiser = new Sgd(params.tensors, { weightDecay: s.weightDecay });
    try {
      if (this.supernet) recalibrateBatchNorm(graph, params, batches(this.data.train, false, s.seed).epoch(0), s.recalibrationBatches);
      const validation = batches(this.data.validation, false, s.seed);
      let best = evaluate(graph, params, validation.epoch(0)).exits.at(-1)!;
      let bestEpoch = 0;
      saveCheckpoint(join(request.dir, 'ckpt'), graph, params);
      for (let epoch = 0; epoch < s.epochs; epoch++) {
        const lr = cosineLearningRate(s.learningRate, epoch, s.epochs);
        const loss = trainEpoch(graph, params, batches(this.data.train, true, s.seed + epoch).epoch(epoch), { optimiser, lr });
        const result = evaluate(graph, params, validation.epoch(0)).exits.at(-1)!;
        this.logger?.info({ iteration: request.iteration, net: request.index, epoch: epoch + 1, lr, train_loss: loss, val_loss: result.loss, val_top1: 100 * result.accuracy }, 'epoch');
        if (result.loss < best.loss) {
          best = result;
          bestEpoch = epoch + 1;
          saveCheckpoint(join(request.dir, 'ckpt'), graph, params);
        }
      }
      const flatness = s.robustness ? this.flatness(graph, request, validation) : {};
      const exits = s.exits ? this.trainExitHeads(graph, request, validation, resolution) : {};
      return {
        top1: Math.round((100 - 100 * best.accuracy) * 100) / 100,
        ...exits,
        ...flatness,
        ...costStats(this.space, request.config, this.cost),
        train: { epochs: s.epochs, best_epoch: bestEpoch, val_loss: best.loss, seconds: (Date.now() - started) / 1000, supernet: this.supernet !== undefined, resolution },
      };
    } finally {
      optimiser.dispose();
      disposeParams(params);
    }
  }

  /**
   * CNAS's ee_train.py after the backbone: from the kept weights, train the exits and score the early-exit
   * network. Its `top1` is the global error over exits; its params and MACs (all heads, exit-cost rules) are
   * kept as `params_with_exits` and `ee_macs`, so `params` and `macs` stay the cost model's, as the optimiser
   * computes them.
   */
  private trainExitHeads(graph: NetGraph, request: EvalRequest, validation: Batcher, resolution: number): Record<string, unknown> {
    const s = this.settings;
    const kept = loadCheckpoint(join(request.dir, 'ckpt'), graph);
    try {
      const train = new Batcher(this.data.train, { batchSize: s.batchSize, seed: s.seed, augment: true, dropLast: this.data.train.size > s.batchSize, resolution });
      const result = trainExits(graph, kept, { train, validation }, { ...s.exits!, seed: s.seed, onEpoch: (r) => this.logger?.info({ iteration: request.iteration, net: request.index, ...r }, 'exit epoch') });
      saveCheckpoint(join(request.dir, 'ckpt'), graph, kept);
      const { params, macs, ...ee } = result.stats;
      return { ...ee, params_with_exits: params, ee_macs: macs };
    } finally {
      disposeParams(kept);
    }
  }

  /** Robustness of the kept (best-epoch) weights; the last epoch's weights are replaced by them first. */
  private flatness(graph: NetGraph, request: EvalRequest, validation: Batcher): Record<string, number> {
    const kept = loadCheckpoint(join(request.dir, 'ckpt'), graph);
    try {
      const { sigma, draws } = this.settings.robustness!;
      const r = weightNoiseRobustness(graph, kept, () => validation.epoch(0), { sigma, draws, seed: this.settings.seed });
      return { robustness: r.robustness };
    } finally {
      disposeParams(kept);
    }
  }

  async evaluate(requests: readonly EvalRequest[], onDone?: (index: number, outcome: EvalOutcome) => void): Promise<EvalOutcome[]> {
    const outcomes: EvalOutcome[] = [];
    for (const [i, request] of requests.entries()) {
      let outcome: EvalOutcome;
      try {
        outcome = { ok: true, stats: this.evaluateOne(request) };
      } catch (err) {
        outcome = { ok: false, reason: (err as Error).message };
      }
      outcomes.push(outcome);
      onDone?.(i, outcome);
      // Give the event loop (progress, signals) a turn between candidates.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return outcomes;
  }
}
