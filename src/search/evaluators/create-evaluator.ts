import type { SearchSpace } from '../../space/definition.ts';
import type { Evaluator } from '../evaluator.ts';
import type { SearchOptions } from '../search-options.ts';
import { AnalyticEvaluator } from './analytic.ts';
import type { CostSettings } from './analytic.ts';
import { SyntheticEvaluator } from './synthetic.ts';

export function createEvaluator(options: SearchOptions, space: SearchSpace): Evaluator {
  const settings: CostSettings = {
    classes: options.n_classes,
    resolution: options.lr,
    tinyMl: { pmax: options.pmax, mmax: options.mmax, amax: options.amax, wp: options.wp, wm: options.wm, wa: options.wa, penalty: options.penalty },
  };
  return options.evaluator === 'analytic' ? new AnalyticEvaluator(space, settings) : new SyntheticEvaluator(space, settings, options.eval_delay_ms);
}
