import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TINY_ML, tinyMl } from '../../src/graph/tiny-ml.ts';

const limits = { pmax: 2.2, mmax: 7, amax: 0.3, wp: 1, wm: 1, wa: 1, penalty: 1e10 };

test('reference examples of tiny_ml', () => {
  assert.equal(tinyMl({ params: 1.5, macs: 6, activations: 0.25 }, limits), 7.75);
  // 2.5 - 2.2 is not exact in binary floating point, in Python as here
  assert.ok(Math.abs(tinyMl({ params: 2.5, macs: 6, activations: 0.25 }, limits) - 3_000_000_008.75) < 1e-5);
});

test('default weights are cnas.py defaults: wm = 1/40 and nothing penalised under the limits', () => {
  assert.equal(tinyMl({ params: 1, macs: 40, activations: 2 }), 1 + 1 + 2);
  assert.equal(DEFAULT_TINY_ML.pmax, 2);
  assert.equal(tinyMl({ params: 2.01, macs: 0, activations: 0 }), 2.01 + 1e10 * (2.01 - 2));
});
