import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runReport } from '../../src/report/run-report.ts';
import { createEvaluator } from '../../src/search/evaluators/create-evaluator.ts';
import { runSearch } from '../../src/search/search-loop.ts';
import { resolveSearchOptions } from '../../src/search/search-options.ts';
import { loadSpace } from '../../src/space/load-space.ts';

test('the report is one self-contained page with the front, the hypervolume, surrogate quality and every architecture', async () => {
  const save = join(mkdtempSync(join(tmpdir(), 'cnas-report-')), 'run');
  const options = resolveSearchOptions({ save, sec_obj: ['macs'], lr: 40, ur: 104, n_classes: 10, n_doe: 50, iterations: 2, n_iter: 4, pop_size: 20, generations: 5 });
  const space = loadSpace('mobilenetv3', { lr: 40, ur: 104 });
  await runSearch(options, { space, evaluator: await createEvaluator(options, space) });
  const html = runReport(save);
  assert.equal((html.match(/<svg /g) ?? []).length, 3);
  assert.match(html, /Pareto front \(top1 vs macs\)/);
  assert.match(html, /Hypervolume/);
  assert.match(html, /Kendall's tau/);
  assert.ok((html.match(/<circle class="point"/g) ?? []).length >= 58);
  const body = html.slice(html.indexOf('<table id="candidates">'));
  assert.equal((body.match(/<tr>/g) ?? []).length, 1 + 58);
  assert.doesNotMatch(html, /(src|href)="https?:/, 'nothing is fetched to view it');
  assert.throws(() => runReport(join(save, 'nothing')), /no completed iteration/);
});
