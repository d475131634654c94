import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TINY_ML, tinyMl } from '../../src/graph/tiny-ml.ts';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measuredTinyMl } from '../../src/search/evaluators/measured-tiny-ml.ts';
import { createEvaluator } from '../../src/search/evaluators/create-evaluator.ts';
import { runSearch } from '../../src/search/search-loop.ts';
import { OptionsError, resolveSearchOptions } from '../../src/search/search-options.ts';
import { loadSpace } from '../../src/space/load-space.ts';

const kb = (bytes: number): number => bytes / 1024;

test('measured tiny_ml: flash stands for params and the arena for activations, in unrounded MB; MACs as CNAS', () => {
  // CNAS's worked example (P=1.5, M=6, A=0.25, pmax 2.2, mmax 7, amax 0.3, all weights 1 -> 7.75) with 1.5 MB of
  // flash and a 0.25 MB arena in place of the cost model's params and activations.
  const s = { pmax: 2.2, mmax: 7, amax: 0.3, wp: 1, wm: 1, wa: 1, penalty: 1e10 };
  const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.abs(b);
  assert.ok(close(measuredTinyMl({ flash_kb: kb(1_500_000), ram_kb: kb(250_000) }, 6, s), 7.75));
  assert.ok(close(measuredTinyMl({ flash_kb: kb(2_500_000), ram_kb: kb(250_000) }, 6, s), 3_000_000_008.75), 'flash over pmax is penalised');
  assert.ok(close(measuredTinyMl({ flash_kb: kb(1_500_000), ram_kb: kb(400_000) }, 6, s), 1_000_000_007.9), 'an arena over amax is penalised');
  // A microcontroller-sized model: 23.4 kB of arena and 300 kB of flash are not rounded away.
  const small = measuredTinyMl({ flash_kb: 300, ram_kb: 23.4 }, 6.08, DEFAULT_TINY_ML);
  assert.equal(small, tinyMl({ params: (300 * 1024) / 1e6, macs: 6.08, activations: (23.4 * 1024) / 1e6 }, DEFAULT_TINY_ML));
  assert.ok(Math.abs(small - (0.3072 + 6.08 / 40 + 0.0239616)) < 1e-12);
  assert.ok(measuredTinyMl({ flash_kb: 300, ram_kb: 23.5 }, 6.08, DEFAULT_TINY_ML) > small);
});

test('tiny_ml_source measured is refused without boards, and by a search whose evaluator measures nothing', async () => {
  assert.throws(() => resolveSearchOptions({ tiny_ml_source: 'measured' }), /--tiny-ml measured \(tiny_ml_source\) needs boards to measure on: give --board/);
  const save = join(mkdtempSync(join(tmpdir(), 'cnas-tinyml-')), 'run');
  const options = resolveSearchOptions({ save, lr: 40, ur: 40, n_classes: 10, sec_obj: ['tiny_ml'], tiny_ml_source: 'measured', board: ['nucleo-l4r5zi'], simulate: true });
  const space = loadSpace(options.search_space, { lr: 40, ur: 40, rstep: 4, widthMult: 1 });
  await assert.rejects(runSearch(options, { space, evaluator: await createEvaluator(options, space) }), (err: Error) => err instanceof OptionsError && /the synthetic evaluator computes tiny_ml from the cost model/.test(err.message));
  assert.equal(existsSync(save), false);
});
