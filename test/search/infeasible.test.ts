import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { violations } from '../../src/search/archive.ts';
import type { ArchiveEntry } from '../../src/search/archive.ts';
import { SyntheticEvaluator } from '../../src/search/evaluators/synthetic.ts';
import { costSettings } from '../../src/search/evaluators/create-evaluator.ts';
import { describeUnmet, unmetConstraints } from '../../src/search/infeasible.ts';
import { runSearch } from '../../src/search/search-loop.ts';
import { resolveSearchOptions } from '../../src/search/search-options.ts';
import { loadSpace } from '../../src/space/load-space.ts';

const entry = (ram_kb: number, latency_ms: number): ArchiveEntry => ({ config: { ks: [], e: [], d: [] }, genes: [], key: `${ram_kb}/${latency_ms}`, stats: { ram_kb, latency_ms }, iteration: 0, net: 0 });

test('unmet constraints: those no candidate met with the best value reached, or all when only their combination was never met', () => {
  const constraints = [
    { key: 'ram_kb', max: 100 },
    { key: 'latency_ms', max: 10 },
  ];
  const some = [entry(150, 5), entry(120, 12), entry(90, 8)];
  assert.deepEqual(unmetConstraints(some, constraints, violations(some, constraints)), [], 'one candidate is feasible');

  const ramOnly = [entry(150, 5), entry(123.4, 12)];
  const unmet = unmetConstraints(ramOnly, constraints, violations(ramOnly, constraints));
  assert.deepEqual(unmet, [{ constraint: 'ram_kb', limit: 100, best: 123.4 }]);
  assert.deepEqual(describeUnmet(unmet), [
    'no candidate met --max-ram-kb 100: the lowest ram_kb of any candidate was 123.4 kB',
    'no feasible front: the values below are those of the least-violating candidates',
  ]);

  const both = [entry(150, 50), entry(123.4, 12)];
  assert.deepEqual(unmetConstraints(both, constraints, violations(both, constraints)).map((u) => u.constraint), ['ram_kb', 'latency_ms']);

  const together = [entry(150, 5), entry(90, 12)];
  const jointly = unmetConstraints(together, constraints, violations(together, constraints));
  assert.deepEqual(jointly, [
    { constraint: 'ram_kb', limit: 100, best: 90 },
    { constraint: 'latency_ms', limit: 10, best: 5 },
  ]);
  assert.match(describeUnmet(jointly)[0], /^no candidate met --max-ram-kb 100 and --max-latency-ms 10 together; each alone was met \(best ram_kb 90 kB, latency_ms 5 ms\)$/);
  assert.deepEqual(describeUnmet([]), []);
  assert.deepEqual(unmetConstraints(together, [], [0, 0]), []);
});

test('a search in which no candidate meets --max-ram-kb says so and reports the least-violating candidates as its best', async () => {
  const options = resolveSearchOptions({ save: join(mkdtempSync(join(tmpdir(), 'cnas-infeasible-')), 'run'), lr: 40, ur: 40, n_classes: 10, width_mult: 0.35, sec_obj: ['macs'], max_ram_kb: 1, n_doe: 12, iterations: 0 });
  const space = loadSpace(options.search_space, { lr: options.lr, ur: options.ur, rstep: options.rstep, widthMult: options.width_mult });
  // ram_kb as a board gives it: not computed from the config, so the search cannot refuse the limit up front.
  const measuredLike = Object.assign(new SyntheticEvaluator(space, costSettings(options)), { exactKeys: ['params', 'macs', 'activations', 'tiny_ml'] });
  const result = await runSearch(options, { space, evaluator: measuredLike });
  assert.equal(result.infeasible.length, 1);
  const [unmet] = result.infeasible;
  assert.equal(unmet.constraint, 'ram_kb');
  assert.equal(unmet.limit, 1);
  assert.ok(unmet.best > 1);
  assert.equal(result.best.ram_kb, unmet.best, 'with one constraint the least violating candidate has the lowest ram_kb');
  assert.equal(typeof result.best.top1, 'number');
  const feasible = await runSearch({ ...options, save: `${options.save}-ok`, max_ram_kb: 10_000 }, { space, evaluator: measuredLike });
  assert.deepEqual(feasible.infeasible, []);
});
