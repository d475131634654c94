import { networkCost, toMillions } from '../graph/cost.ts';
import { exitCosts } from '../graph/exit-cost.ts';
import { peakActivationBytes, weightBytesInt8 } from '../graph/memory.ts';
import { DEFAULT_TINY_ML, tinyMl } from '../graph/tiny-ml.ts';
import { realise } from './realise.ts';
import type { TinyMlSettings } from '../graph/tiny-ml.ts';
import type { SubnetConfig } from './config.ts';
import type { SearchSpace } from './definition.ts';

export interface ExitCostReport {
  after_stage: number;
  final: boolean;
  pool: number;
  /** Millions; backbone figures rounded to 2 decimals as CNAS, classifier figures unrounded. */
  backbone_params: number;
  backbone_macs: number;
  classifier_params: number;
  classifier_macs: number;
  exact: { backbone_params: number; backbone_macs: number; classifier_params: number; classifier_macs: number };
}

export interface CostReport {
  params: number;
  macs: number;
  activations: number;
  tiny_ml: number;
  exact: { params: number; macs: number; activations: number };
  weights_bytes_int8: number;
  peak_activation_bytes_int8: number;
  resolution: number;
  classes: number;
  exits?: ExitCostReport[];
}

export interface CostOptions {
  resolution?: number;
  classes: number;
  tinyMl?: TinyMlSettings;
}

/** Everything `cnas cost` reports for one config: CNAS's rounded millions, exact counts and int8 memory. */
export function costReport(space: SearchSpace, config: SubnetConfig, options: CostOptions): CostReport {
  const graph = realise(space, config, options);
  const exact = networkCost(graph);
  const millions = { params: toMillions(exact.params), macs: toMillions(exact.macs), activations: toMillions(exact.activations) };
  const report: CostReport = {
    ...millions,
    tiny_ml: tinyMl(millions, options.tinyMl ?? DEFAULT_TINY_ML),
    exact,
    weights_bytes_int8: weightBytesInt8(graph),
    peak_activation_bytes_int8: peakActivationBytes(graph),
    resolution: graph.resolution,
    classes: graph.classes,
  };
  if (space.exitKind !== 'none') {
    report.exits = exitCosts(graph).map((e) => ({
      after_stage: e.afterStage,
      final: e.final,
      pool: e.pool,
      backbone_params: toMillions(e.backboneParams),
      backbone_macs: toMillions(e.backboneMacs),
      classifier_params: e.classifierParams / 1e6,
      classifier_macs: e.classifierMacs / 1e6,
      exact: {
        backbone_params: e.backboneParams,
        backbone_macs: e.backboneMacs,
        classifier_params: e.classifierParams,
        classifier_macs: e.classifierMacs,
      },
    }));
  }
  return report;
}
