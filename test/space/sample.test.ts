import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleConfigs } from '../../src/space/sample.ts';
import { validateConfig } from '../../src/space/config.ts';
import { loadSpace } from '../../src/space/load-space.ts';

const spaces = [
  loadSpace('mobilenetv3'),
  loadSpace('mobilenetv3', { lr: 192, ur: 256 }),
  loadSpace('eemobilenetv3'),
  loadSpace('cbnmobilenetv3', { lr: 40, ur: 104 }),
];

test('same seed, same configs; another seed, other configs', () => {
  for (const s of spaces) {
    assert.deepEqual(sampleConfigs(s, 20, 7), sampleConfigs(s, 20, 7));
    assert.notDeepEqual(sampleConfigs(s, 20, 7), sampleConfigs(s, 20, 8));
  }
});

test('the sampler is pinned: seed 1 gives these configs on every machine', () => {
  const [first] = sampleConfigs(loadSpace('mobilenetv3', { lr: 192, ur: 256 }), 1, 1);
  assert.deepEqual(first, {
    ks: [7, 7, 7, 3, 3, 3, 5, 5, 3, 5, 7, 5, 7, 5, 7, 3, 3, 7],
    e: [4, 6, 4, 3, 3, 6, 3, 3, 3, 3, 3, 4, 3, 4, 3, 3, 6, 6],
    d: [3, 4, 4, 3, 4],
    r: 212,
  });
});

test('every sample is valid for its space, r only when the space has several resolutions', () => {
  for (const s of spaces) {
    for (const c of sampleConfigs(s, 200, 3)) {
      assert.deepEqual(validateConfig(s, c), c);
      assert.equal('r' in c, !s.fixedResolution);
    }
  }
});

test('choices are drawn uniformly and cbn configs always have an exit', () => {
  const s = spaces[3];
  const configs = sampleConfigs(s, 3000, 11);
  const depthCounts = new Map<number, number>();
  for (const c of configs) {
    for (const d of c.d) depthCounts.set(d, (depthCounts.get(d) ?? 0) + 1);
    assert.ok(c.b!.includes(1));
  }
  for (const d of s.depths) {
    const share = depthCounts.get(d)! / (configs.length * 5);
    assert.ok(Math.abs(share - 1 / 3) < 0.02, `depth ${d}: ${share}`);
  }
  const rs = new Set(configs.map((c) => c.r));
  assert.equal(rs.size, s.resolutions.length);
});
