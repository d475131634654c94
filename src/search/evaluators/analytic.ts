import { networkCost, toMillions } from '../../graph/cost.ts';
import { peakActivationBytes, weightBytesInt8 } from '../../graph/memory.ts';
import { DEFAULT_TINY_ML, tinyMl } from '../../graph/tiny-ml.ts';
import { realise } from '../../space/realise.ts';
import type { TinyMlSettings } from '../../graph/tiny-ml.ts';
import type { SubnetConfig } from '../../space/config.ts';
import type { SearchSpace } from '../../space/definition.ts';
import type { EvalOutcome, EvalRequest, Evaluator } from '../evaluator.ts';

export interface CostSettings {
  classes: number;
  /** Resolution of configs without `r` (fixed-resolution spaces); CNAS costs them at `lr`. */
  resolution: number;
  tinyMl: TinyMlSettings;
}

export const COST_KEYS = ['params', 'macs', 'activations', 'tiny_ml', 'ram_kb', 'flash_kb'] as const;

/**
 * Cost-model stats of a config: CNAS's rounded millions and tiny_ml, plus int8 estimates of the arena
 * (`ram_kb`, TFLM greedy plan of activations) and of the weights (`flash_kb`, without runtime code). Only the
 * requested keys are computed, because the arena plan is 10x dearer than the counts.
 */
export function costStats(space: SearchSpace, config: SubnetConfig, settings: CostSettings, keys: readonly string[] = COST_KEYS): Record<string, number> {
  const graph = realise(space, config, { resolution: settings.resolution, classes: settings.classes });
  const out: Record<string, number> = {};
  const exact = networkCost(graph);
  const m = { params: toMillions(exact.params), macs: toMillions(exact.macs), activations: toMillions(exact.activations) };
  for (const key of keys) {
    if (key === 'params' || key === 'macs' || key === 'activations') out[key] = m[key];
    else if (key === 'tiny_ml') out.tiny_ml = tinyMl(m, settings.tinyMl);
    else if (key === 'ram_kb') out.ram_kb = peakActivationBytes(graph) / 1024;
    else if (key === 'flash_kb') out.flash_kb = weightBytesInt8(graph) / 1024;
  }
  return out;
}

export function defaultCostSettings(space: SearchSpace, classes = 1000): CostSettings {
  return { classes, resolution: space.lr, tinyMl: DEFAULT_TINY_ML };
}

/** Stats from the cost model alone: for searches over costs, and as the base of other evaluators. */
export class AnalyticEvaluator implements Evaluator {
  readonly name: string = 'analytic';
  readonly keys: readonly string[] = COST_KEYS;
  readonly exactKeys: readonly string[] = COST_KEYS;

  constructor(
    protected readonly space: SearchSpace,
    protected readonly settings: CostSettings,
  ) {}

  exact(config: SubnetConfig, keys: readonly string[]): Record<string, number> {
    return costStats(this.space, config, this.settings, keys);
  }

  protected statsOf(config: SubnetConfig): Record<string, unknown> {
    return { ...costStats(this.space, config, this.settings), source: 'analytic' };
  }

  async evaluate(requests: readonly EvalRequest[], onDone?: (index: number, outcome: EvalOutcome) => void): Promise<EvalOutcome[]> {
    return requests.map((r, i) => {
      let outcome: EvalOutcome;
      try {
        outcome = { ok: true, stats: this.statsOf(r.config) };
      } catch (err) {
        outcome = { ok: false, reason: (err as Error).message };
      }
      onDone?.(i, outcome);
      return outcome;
    });
  }
}
