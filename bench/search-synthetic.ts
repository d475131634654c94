/**
 * A whole synthetic search as CNAS runs it: 100 DOE, 30 iterations of 8 candidates, top1 (RBF) and MACs.
 * Baseline in the same run: evaluating the same number of random configs (340) with the same evaluator and
 * run-directory writes but no search, so the ratio is what the search machinery costs on top.
 * Usage: npx tsx bench/search-synthetic.ts [--json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateCandidates } from '../src/search/evaluate-candidates.ts';
import { createEvaluator } from '../src/search/evaluators/create-evaluator.ts';
import { runSearch } from '../src/search/search-loop.ts';
import { resolveSearchOptions } from '../src/search/search-options.ts';
import { loadSpace } from '../src/space/load-space.ts';
import { sampleConfigs } from '../src/space/sample.ts';

const json = process.argv.includes('--json');
const dir = mkdtempSync(join(tmpdir(), 'cnas-bench-'));
const options = resolveSearchOptions({ save: join(dir, 'run'), lr: 192, ur: 256, sec_obj: ['macs'], n_doe: 100, iterations: 30, n_iter: 8, patience: 1000 });
const space = loadSpace('mobilenetv3', { lr: 192, ur: 256 });
const evaluator = await createEvaluator(options, space);

let start = process.hrtime.bigint();
await evaluateCandidates(sampleConfigs(space, 340, 7), { save: join(dir, 'baseline'), iteration: 0, space, evaluator, requiredKeys: ['top1', 'macs'] });
const baseline = Number(process.hrtime.bigint() - start) / 1e9;

start = process.hrtime.bigint();
const result = await runSearch(options, { space, evaluator });
const search = Number(process.hrtime.bigint() - start) / 1e9;
rmSync(dir, { recursive: true, force: true });

if (json) {
  console.log(JSON.stringify({ architectures: result.archiveSize, hv: result.hv, search_s: search, baseline_s: baseline, ratio_to_baseline: search / baseline }));
} else {
  console.log(`synthetic search, 100 DOE + 30 x 8 on ${space.name} (r ${space.lr}..${space.ur}), node ${process.version}`);
  console.log(`evaluate 340 random configs, no search (baseline)   ${baseline.toFixed(2)} s   1.00x`);
  console.log(`whole search (${result.archiveSize} architectures, hv ${result.hv?.toFixed(4)})   ${search.toFixed(2)} s   ${(search / baseline).toFixed(2)}x baseline (target < 60 s)`);
}
