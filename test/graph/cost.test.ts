import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layerCost, networkCost, toMillions } from '../../src/graph/cost.ts';
import { loadSpace } from '../../src/space/load-space.ts';
import { realise } from '../../src/space/realise.ts';
import { sampleConfigs } from '../../src/space/sample.ts';
import { closedFormCost } from './closed-form.ts';
import type { SubnetConfig } from '../../src/space/config.ts';

const space = loadSpace('mobilenetv3');
const uniform = (k: number, e: number, d: number): SubnetConfig => ({
  ks: new Array<number>(5 * d).fill(k),
  e: new Array<number>(5 * d).fill(e),
  d: [d, d, d, d, d],
});

test('reference figures: largest and smallest subnet at 224 px, 1000 classes', () => {
  assert.deepEqual(networkCost(realise(space, uniform(7, 6, 4), { resolution: 224, classes: 1000 })), {
    params: 7_664_760,
    macs: 579_474_656,
    activations: 18_792_440,
  });
  assert.deepEqual(networkCost(realise(space, uniform(3, 3, 2), { resolution: 224, classes: 1000 })), {
    params: 3_410_792,
    macs: 125_621_152,
    activations: 6_393_880,
  });
});

test('per-stage mapping: ks=[3]*10, e=[3]*10, d=[2]*5 costs 3.41 M / 125.62 MMACs, not CNAS misaligned 4.67 / 182.19', () => {
  const c = networkCost(realise(space, uniform(3, 3, 2), { resolution: 224, classes: 1000 }));
  assert.equal(toMillions(c.params), 3.41);
  assert.equal(toMillions(c.macs), 125.62);
});

test('NetGraph costs equal the closed form on 300 random configs at odd and even resolutions', () => {
  const configs = sampleConfigs(space, 300, 99);
  configs.forEach((config, i) => {
    const r = [32, 33, 40, 57, 96, 128, 160, 224, 225, 256][i % 10];
    const n = [10, 100, 1000][i % 3];
    assert.deepEqual(networkCost(realise(space, config, { resolution: r, classes: n })), closedFormCost(config, r, n), `config ${i} at ${r}px`);
  });
});

test('layer by layer: first conv, first block, an SE block and the head follow the reference table', () => {
  const g = realise(space, uniform(5, 4, 3), { resolution: 64, classes: 10 });
  const byName = new Map(g.layers.map((l) => [l.name, layerCost(l, g.tensors)]));
  const h0 = 32;
  assert.deepEqual(byName.get('first_conv'), { params: 3 * 16 * 9 + 32, macs: h0 * h0 * 16 * 27 + 16 * h0 * h0 + 16 * h0 * h0, activations: 2 * 16 * h0 * h0 });
  // blocks.0 has no expand conv: depthwise 3x3 on 16 channels, ReLU
  assert.equal(byName.has('blocks.0.conv.inverted_bottleneck'), false);
  assert.deepEqual(byName.get('blocks.0.conv.depth_conv'), { params: 16 * 9 + 32, macs: h0 * h0 * 16 * 9 + 16 * h0 * h0, activations: 2 * 16 * h0 * h0 });
  // blocks.4 is the first block of stage 2 (40 channels, SE, stride 2): input 24 ch at 16x16, mid 96, out 8x8
  const se = byName.get('blocks.4.conv.depth_conv.se')!;
  assert.deepEqual(se, { params: 2 * 96 * 24 + 24 + 96, macs: 96 * 8 + 96 + 2 * 24 * 96 + 96 * 64, activations: 24 + 96 });
  assert.deepEqual(byName.get('global_avg_pool'), { params: 0, macs: 960 * 2 + 960, activations: 0 });
  assert.deepEqual(byName.get('feature_mix_layer'), { params: 960 * 1280, macs: 960 * 1280 + 1280, activations: 1280 });
  assert.deepEqual(byName.get('classifier'), { params: 12810, macs: 12800, activations: 10 });
});

test('shortcuts exist exactly for stride-1 blocks with equal widths', () => {
  const g = realise(space, uniform(3, 3, 3), { resolution: 224, classes: 10 });
  const withShortcut = g.blocks.filter((b) => b.shortcut).map((b) => b.index);
  // first block, then positions 2 and 3 of every stage (stage 4's first block is 80 -> 112, stride 1, no shortcut)
  assert.deepEqual(withShortcut, [0, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15]);
  assert.deepEqual(g.blocks.map((b) => b.slot), [0, 1, 2, 3, 5, 6, 7, 9, 10, 11, 13, 14, 15, 17, 18, 19]);
});

test('toMillions rounds to two decimals like CNAS', () => {
  assert.equal(toMillions(7_664_760), 7.66);
  assert.equal(toMillions(125_621_152), 125.62);
  assert.equal(toMillions(4_995_000), 5);
});
