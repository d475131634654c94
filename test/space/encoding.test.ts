import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalGenes, decodeGenes, encodeConfig, geneCount, geneUpperBounds } from '../../src/space/encoding.ts';
import { sampleConfigs } from '../../src/space/sample.ts';
import { ConfigError } from '../../src/space/errors.ts';
import { loadSpace } from '../../src/space/load-space.ts';

const cases = [
  ['mobilenetv3', 45],
  ['eemobilenetv3', 49],
  ['cbnmobilenetv3', 49],
] as const;

test('gene counts match CNAS (+1 for the resolution gene)', () => {
  for (const [name, n] of cases) {
    assert.equal(geneCount(loadSpace(name)), n);
    assert.equal(geneCount(loadSpace(name, { lr: 192, ur: 256 })), n + 1);
  }
});

test('round trips for all three spaces at fixed and variable resolution', () => {
  for (const [name] of cases) {
    for (const space of [loadSpace(name), loadSpace(name, { lr: 40, ur: 104 })]) {
      for (const config of sampleConfigs(space, 300, 5)) {
        const genes = encodeConfig(space, config);
        assert.equal(genes.length, geneCount(space));
        assert.deepEqual(decodeGenes(space, genes), config);
      }
    }
  }
});

test('the resolution gene spans the whole list (|R| - 1), not 2', () => {
  const space = loadSpace('mobilenetv3', { lr: 192, ur: 256 });
  const upper = geneUpperBounds(space);
  assert.equal(upper[upper.length - 1], 16);
  assert.deepEqual(upper.slice(0, 9), [2, 2, 2, 2, 2, 2, 2, 2, 2]);
  const genes = encodeConfig(space, { ...sampleConfigs(space, 1, 0)[0], r: 256 });
  assert.equal(genes[genes.length - 1], 16);
  assert.equal(decodeGenes(space, genes).r, 256);
});

test('thresholds decode correctly at fixed resolution (CNAS bug 5)', () => {
  const space = loadSpace('eemobilenetv3');
  const config = { ...sampleConfigs(space, 1, 0)[0], t: [0.1, 0.2, 1, 0.1] };
  assert.deepEqual(decodeGenes(space, encodeConfig(space, config)).t, [0.1, 0.2, 1, 0.1]);
});

test('cbn decodes r at variable resolution (CNAS bug 6)', () => {
  const space = loadSpace('cbnmobilenetv3', { lr: 40, ur: 104 });
  const config = { ...sampleConfigs(space, 1, 0)[0], r: 100 };
  assert.equal(decodeGenes(space, encodeConfig(space, config)).r, 100);
});

test('unused slots are padded with 0 per stage', () => {
  const space = loadSpace('mobilenetv3');
  const genes = encodeConfig(space, { ks: [7, 5, 5, 5, 5, 5, 5, 5, 5, 5], e: [6, 4, 4, 4, 4, 4, 4, 4, 4, 4], d: [2, 2, 2, 2, 2] });
  assert.deepEqual(genes.slice(0, 9), [0, 2, 1, 0, 0, 2, 1, 0, 0]);
  assert.deepEqual(canonicalGenes(space, [0, 2, 1, 2, 2, 2, 1, 1, 1, ...genes.slice(9)]), genes);
});

test('decode rejects out-of-bound, non-integer and wrongly sized gene vectors', () => {
  const space = loadSpace('mobilenetv3', { lr: 192, ur: 256 });
  const genes = new Array<number>(geneCount(space)).fill(0);
  assert.throws(() => decodeGenes(space, genes.slice(1)), /field "genes": has 45 entries; expected 46/);
  assert.throws(() => decodeGenes(space, [3, ...genes.slice(1)]), /field "genes\[0\]": value 3 is not allowed; allowed values: integers 0..2/);
  assert.throws(() => decodeGenes(space, [...genes.slice(0, -1), 17]), /genes\[45\]": value 17/);
  assert.throws(() => decodeGenes(space, [0.5, ...genes.slice(1)]), ConfigError);
  const cbn = loadSpace('cbnmobilenetv3');
  assert.throws(() => decodeGenes(cbn, new Array<number>(49).fill(0)), /field "b": has no exit/);
});
