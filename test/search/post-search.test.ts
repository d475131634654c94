import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { highTradeoffPoints, tradeoffScores } from '../../src/search/high-tradeoff.ts';
import { postSearch } from '../../src/search/post-search.ts';
import { runSearch } from '../../src/search/search-loop.ts';
import { resolveSearchOptions } from '../../src/search/search-options.ts';
import { createEvaluator } from '../../src/search/evaluators/create-evaluator.ts';
import { loadSpace } from '../../src/space/load-space.ts';

const FRONT = [
  [10.5, 9],
  [11, 8],
  [12, 6.5],
  [13.1, 5.9],
  [15, 4],
  [18.2, 3.1],
  [22, 2.9],
];

test('high trade-off points on the reference front, with normalised objectives', () => {
  // CNAS (raw units, where the 0.125 radius covers no neighbour) picks [2], [4, 2], [1, 4, 2]. On min-max
  // normalised objectives (15, 4) is the knee: giving it up costs 1.57x more in one objective than it gains in
  // the other, the largest ratio on the front; then (12, 6.5) and (13.1, 5.9).
  assert.deepEqual(highTradeoffPoints(FRONT, 1), [4]);
  assert.deepEqual(highTradeoffPoints(FRONT, 2), [4, 2]);
  assert.deepEqual(highTradeoffPoints(FRONT, 3), [4, 2, 3]);
  const mu = tradeoffScores(FRONT);
  assert.ok(Math.abs(mu[4] - 1.571038) < 1e-6);
  // a one-point front has no trade-off at all; it must not sort first (CNAS's NaN did)
  assert.deepEqual(tradeoffScores([[1, 2]]), [-Infinity]);
});

async function smallRun(): Promise<string> {
  const save = join(mkdtempSync(join(tmpdir(), 'cnas-post-')), 'run');
  const options = resolveSearchOptions({ save, search_space: 'cbnmobilenetv3', lr: 40, ur: 104, n_classes: 10, sec_obj: ['macs'], n_doe: 60, iterations: 2, n_iter: 6, pop_size: 20, generations: 5 });
  const space = loadSpace('cbnmobilenetv3', { lr: 40, ur: 104 });
  await runSearch(options, { space, evaluator: await createEvaluator(options, space) });
  return save;
}

test('post-search copies the chosen nets with net.subnet, net.stats and a CSV of their stats', async () => {
  const save = await smallRun();
  const out = join(save, '..', 'selected');
  const chosen = postSearch({ expr: join(save, 'iter_2.stats'), save: out, n: 3, prefer: 'trade-off', saveStatsCsv: true });
  assert.equal(chosen.length, 3);
  for (const c of chosen) {
    assert.equal(c.dir, join(out, `net-trade-off_${c.rank}`));
    assert.deepEqual(JSON.parse(readFileSync(join(c.dir, 'net.subnet'), 'utf8')), c.config);
    assert.deepEqual(JSON.parse(readFileSync(join(c.dir, 'net.stats'), 'utf8')), c.stats);
  }
  const csv = readFileSync(join(out, 'selected.csv'), 'utf8').trim().split('\n');
  assert.equal(csv.length, 4);
  assert.match(csv[0], /^rank,dir,iteration,net,top1,/);
  // refuses to overwrite what is there
  assert.throws(() => postSearch({ expr: join(save, 'iter_2'), save: out, n: 1, prefer: 'trade-off' }), /net-trade-off_0 already exists/);
});

test('--prefer <objective> takes the lowest values; --n-exits filters by exit count', async () => {
  const save = await smallRun();
  const archive = JSON.parse(readFileSync(join(save, 'iter_2.stats'), 'utf8')).archive as [{ b: number[] }, number, number][];
  const out = join(save, '..', 'by-macs');
  const chosen = postSearch({ expr: join(save, 'iter_2.stats'), save: out, n: 2, prefer: 'macs' });
  const sorted = archive.map((r) => r[2]).sort((a, b) => a - b);
  assert.deepEqual(chosen.map((c) => c.stats.macs), sorted.slice(0, 2));
  const oneExit = postSearch({ expr: join(save, 'iter_2.stats'), save: join(save, '..', 'one-exit'), n: 2, prefer: 'top1', nExits: 1 });
  for (const c of oneExit) assert.equal(c.config.b!.filter((b) => b === 1).length, 1);
  assert.ok(existsSync(join(save, '..', 'one-exit', 'net-top1_0_exits1', 'net.subnet')));
  assert.throws(() => postSearch({ expr: join(save, 'iter_2.stats'), save: join(save, '..', 'x'), n: 1, prefer: 'latency_ms' }), /has no numeric "latency_ms"/);
});
