import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alphaNorm, storedKeys, top1Robust, valueOfWith } from '../../src/search/objective-values.ts';
import { runSearch } from '../../src/search/search-loop.ts';
import { resolveSearchOptions } from '../../src/search/search-options.ts';
import { createEvaluator } from '../../src/search/evaluators/create-evaluator.ts';
import { postSearch } from '../../src/search/post-search.ts';
import { loadSpace } from '../../src/space/load-space.ts';
import type { ArchiveEntry } from '../../src/search/archive.ts';

const entry = (top1: number, robustness: number): ArchiveEntry => ({ config: { ks: [], e: [], d: [] }, genes: [], key: `${top1}/${robustness}`, stats: { top1, robustness }, iteration: 0, net: 0 });

test('top1_robust = round(alpha * top1 + alpha_norm * (1 - alpha) * robustness, 2)', () => {
  assert.equal(top1Robust(20, 4, 0.5, 5), 20);
  assert.equal(top1Robust(23.45, 1.2, 0.5, 1), 12.33);
  assert.equal(top1Robust(10, 3, 0.8, 2.5), 9.5);
  assert.equal(top1Robust(10, 3, 1, 7), 10);
});

test('alpha_norm = mean(top1) / mean(robustness) over the archive; 1 without robustness', () => {
  assert.equal(alphaNorm([entry(20, 2), entry(30, 4)]), 25 / 3);
  assert.equal(alphaNorm([entry(12, 0), entry(18, 0)]), 1);
  assert.equal(alphaNorm([]), 1);
  assert.deepEqual(storedKeys('top1_robust'), ['top1', 'robustness']);
  const ctx = { alpha: 0.5, alphaNorm: 2 };
  const valueOf = valueOfWith(ctx);
  assert.equal(valueOf(entry(20, 3), 'top1_robust'), 13);
  ctx.alphaNorm = 4;
  assert.equal(valueOf(entry(20, 3), 'top1_robust'), 16, 'the archive is rescored when alpha_norm changes');
  assert.equal(valueOf(entry(20, 3), 'top1'), 20);
});

test('a FlatNAS search rescores the archive with the alpha_norm of the previous iterations', async () => {
  const save = join(mkdtempSync(join(tmpdir(), 'cnas-flat-')), 'run');
  const options = resolveSearchOptions({ save, first_obj: 'top1_robust', sec_obj: ['tiny_ml'], lr: 40, ur: 104, n_classes: 10, n_doe: 50, iterations: 2, n_iter: 4, pop_size: 20, generations: 5 });
  const space = loadSpace('mobilenetv3', { lr: 40, ur: 104 });
  await runSearch(options, { space, evaluator: await createEvaluator(options, space) });
  const iter0 = JSON.parse(readFileSync(join(save, 'iter_0.stats'), 'utf8'));
  const iter1 = JSON.parse(readFileSync(join(save, 'iter_1.stats'), 'utf8'));
  assert.equal(iter0.alpha_norm, 1);
  const stats = (it: number, net: number) => JSON.parse(readFileSync(join(save, `iter_${it}`, `net_${net}`, `net_${net}.stats`), 'utf8'));
  const doe = iter0.archive_nets.map(([it, net]: [number, number]) => stats(it, net));
  const expected = doe.reduce((s: number, x: { top1: number }) => s + x.top1, 0) / doe.reduce((s: number, x: { robustness: number }) => s + x.robustness, 0);
  assert.ok(Math.abs(iter1.alpha_norm - expected) < 1e-9);
  iter1.archive.forEach((row: unknown[], i: number) => {
    const [it, net] = iter1.archive_nets[i];
    const s = stats(it, net);
    assert.equal(row[1], top1Robust(s.top1, s.robustness, 0.5, iter1.alpha_norm));
  });
  const picked = postSearch({ expr: join(save, 'iter_2.stats'), save: join(save, '..', 'picked'), n: 1, prefer: 'top1_robust' });
  const iter2 = JSON.parse(readFileSync(join(save, 'iter_2.stats'), 'utf8'));
  assert.equal(top1Robust(picked[0].stats.top1 as number, picked[0].stats.robustness as number, 0.5, iter2.alpha_norm), Math.min(...iter2.archive.map((r: unknown[]) => r[1] as number)));
});
