/**
 * One surrogate step: a cubic RBF fitted on 300 archive points, then NSGA-II with population 100 for 100
 * generations on the 46-gene space (mobilenetv3 with a resolution gene), MACs computed exactly.
 * Baseline in the same run: the same NSGA-II on a trivial problem (sum of genes), i.e. the optimiser alone.
 * Usage: npx tsx bench/nsga2.ts [--json]
 */
import { createSurrogate } from '../src/predictors/create-surrogate.ts';
import { nsga2 } from '../src/search/nsga2.ts';
import { surrogateProblem } from '../src/search/surrogate-problem.ts';
import { SyntheticEvaluator } from '../src/search/evaluators/synthetic.ts';
import { defaultCostSettings } from '../src/search/evaluators/analytic.ts';
import { canonicalGenes, encodeConfig, geneUpperBounds } from '../src/space/encoding.ts';
import { loadSpace } from '../src/space/load-space.ts';
import { sampleConfigs } from '../src/space/sample.ts';
import type { Problem } from '../src/search/problem.ts';

const json = process.argv.includes('--json');
const space = loadSpace('mobilenetv3', { lr: 160, ur: 224 });
const evaluator = new SyntheticEvaluator(space, defaultCostSettings(space, 1000));
const configs = sampleConfigs(space, 300, 1);
const outcomes = await evaluator.evaluate(configs.map((config, index) => ({ config, dir: '', iteration: 0, index, alphaNorm: 1 })));
const X = configs.map((c) => canonicalGenes(space, encodeConfig(space, c)));
const y = outcomes.map((o) => (o.ok ? (o.stats.top1 as number) : NaN));
const upper = geneUpperBounds(space);

function seconds(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const trivial: Problem = { nGenes: upper.length, upper, nObjectives: 2, evaluate: (pop) => ({ F: pop.map((x) => [x.reduce((a, b) => a + b, 0), -x[0]]) }) };
const baseline = seconds(() => nsga2(trivial, { popSize: 100, generations: 100, seed: 1 }));

const start = process.hrtime.bigint();
const rbf = createSurrogate('rbf', { seed: 1 });
await rbf.fit(X, y);
const fit = Number(process.hrtime.bigint() - start) / 1e9;
const problem = surrogateProblem({ space, evaluator, objectives: ['top1', 'macs'], constraints: [], models: new Map([['top1', { kind: 'surrogate', surrogate: rbf }], ['macs', { kind: 'exact' }]]) });
const search = seconds(() => nsga2(problem, { popSize: 100, generations: 100, seed: 1 }));
const total = fit + search;

if (json) {
  console.log(JSON.stringify({ genes: upper.length, fit_s: fit, nsga2_s: search, total_s: total, baseline_s: baseline, ratio_to_baseline: total / baseline }));
} else {
  console.log(`surrogate step on ${upper.length} genes, node ${process.version}`);
  console.log(`NSGA-II 100x100 on a trivial problem (baseline)  ${baseline.toFixed(3)} s   1.00x`);
  console.log(`RBF fit on 300 points                           ${fit.toFixed(3)} s`);
  console.log(`NSGA-II 100x100 on RBF top1 + exact MACs        ${search.toFixed(3)} s`);
  console.log(`whole step                                      ${total.toFixed(3)} s   ${(total / baseline).toFixed(2)}x baseline (target < 2 s)`);
}
