import { test } from 'node:test';
import assert from 'node:assert/strict';
import { avgMacs, exitCosts, expectedMacs } from '../../src/graph/exit-cost.ts';
import { networkCost } from '../../src/graph/cost.ts';
import { loadSpace } from '../../src/space/load-space.ts';
import { realise } from '../../src/space/realise.ts';
import { sampleConfigs } from '../../src/space/sample.ts';
import type { SubnetConfig } from '../../src/space/config.ts';

const ee = loadSpace('eemobilenetv3');
const cbn = loadSpace('cbnmobilenetv3');
const backbone: Omit<SubnetConfig, 't' | 'b'> = { ks: new Array<number>(13).fill(3), e: new Array<number>(13).fill(3), d: [2, 3, 4, 2, 2] };

/** Exit head MACs by CNAS's module rules, written out for a C x H x H feature map. */
function headMacs(c: number, h: number, pool: number, outputs: number): number {
  const hp = Math.floor(h / pool);
  const poolMacs = pool > 1 ? c * h * h : 0;
  return poolMacs + 9 * (c * 32 + 32 * 64 + 64 * 128) * hp * hp + 128 * hp * hp * outputs;
}

test('exits sit after the stages whose threshold is not 1, at cumulative depths', () => {
  const g = realise(ee, { ...backbone, t: [0.1, 1, 0.2, 1] }, { resolution: 224, classes: 10 });
  assert.deepEqual(g.exits.map((e) => [e.afterStage, e.afterBlock, e.threshold, e.final]), [
    [0, 2, 0.1, false],
    [2, 9, 0.2, false],
    [4, 13, 1, true],
  ]);
  // heads run right after their stage: the first exit's layers come before block 3's
  const names = g.layers.map((l) => l.name);
  assert.ok(names.indexOf('exits.0.conv1') < names.indexOf('blocks.3.conv.inverted_bottleneck'));
  assert.ok(names.indexOf('exits.1.linear') < names.indexOf('blocks.10.conv.inverted_bottleneck'));
  assert.ok(names.indexOf('exits.1.linear') > names.indexOf('blocks.9.conv.point_linear'));
});

test('a threshold-space config without exits is the plain network', () => {
  const plain = realise(loadSpace('mobilenetv3'), backbone, { resolution: 224, classes: 10 });
  const g = realise(ee, { ...backbone, t: [1, 1, 1, 1] }, { resolution: 224, classes: 10 });
  assert.equal(g.exits.length, 1);
  assert.deepEqual(networkCost(g), networkCost(plain));
});

test('per-exit costs: backbone prefix, head by module rules, every classifier counted once', () => {
  const g = realise(ee, { ...backbone, t: [0.2, 1, 0.1, 1] }, { resolution: 64, classes: 10 });
  const costs = exitCosts(g);
  const plainBackbone = realise(loadSpace('mobilenetv3'), backbone, { resolution: 64, classes: 10 });
  const last = costs[costs.length - 1];
  // final exit: backbone is everything before the head; head = final expand (1x1 on 2x2) + feature mix + classifier
  const full = networkCost(plainBackbone);
  const headLayers = plainBackbone.layers.filter((l) => l.part.kind === 'head');
  assert.equal(last.classifierMacs, 160 * 960 * 2 * 2 + 960 * 1280 + 1280 * 10);
  assert.equal(last.classifierParams, 160 * 960 + 1920 + 960 * 1280 + 1280 * 10 + 10);
  assert.ok(headLayers.length === 4 && last.backboneParams === full.params - last.classifierParams);
  // intermediate exits: 24 ch at 16x16 after stage 0, 80 ch at 4x4 after stage 2
  const [first, second] = costs;
  assert.equal(first.classifierMacs, headMacs(24, 16, first.pool, 10));
  assert.equal(second.classifierMacs, headMacs(80, 4, second.pool, 10));
  const hp = Math.floor(16 / first.pool);
  assert.equal(first.classifierParams, 9 * 24 * 32 + 32 + 9 * 32 * 64 + 64 + 9 * 64 * 128 + 128 + 128 * hp * hp * 10 + 10);
  // total params of the deployed network = network + each intermediate head once
  const total = full.params + first.classifierParams + second.classifierParams;
  assert.equal(networkCost(g).params + first.classifierParams + second.classifierParams, total);
});

test('pool choice: the smallest pool that makes an exit cheaper than the next one', () => {
  for (const config of sampleConfigs(ee, 200, 4)) {
    for (const r of [32, 96, 224]) {
      const g = realise(ee, config, { resolution: r, classes: 10 });
      const costs = exitCosts(g);
      for (let i = costs.length - 2; i >= 0; i--) {
        const total = (e: (typeof costs)[number]): number => e.backboneMacs + e.classifierMacs;
        const head = g.layers.find((l) => l.part.kind === 'exit' && l.part.exit === i);
        assert.ok(head && 'input' in head);
        const [h, , c] = g.tensors[head.input];
        const maxPool = c >= 16 ? 4 : c >= 8 ? 2 : 1;
        const candidates = [1, 2, 4].filter((p) => p <= maxPool && Math.floor(h / p) >= 1);
        const cost = (p: number): number => costs[i].backboneMacs + headMacs(c, h, p, 10);
        const expected = candidates.find((p) => cost(p) < total(costs[i + 1])) ?? candidates[candidates.length - 1];
        assert.equal(costs[i].pool, expected, `exit ${i} of ${JSON.stringify(config)} at ${r}`);
      }
    }
  }
});

test('cbn exits have one extra output (the confidence) and the flags place them', () => {
  const g = realise(cbn, { ...backbone, b: [0, 1, 0, 1] }, { resolution: 96, classes: 10 });
  assert.deepEqual(g.exits.map((e) => e.afterStage), [1, 3, 4]);
  const linear = g.layers.find((l) => l.name === 'exits.0.linear');
  assert.equal(linear?.kind === 'linear' && linear.cout, 11);
  assert.equal(g.exits.every((e) => e.threshold === undefined), true);
});

test('avg_macs weighs each exit total by its ratio; expected MACs add earlier heads', () => {
  const exits = [
    { afterStage: 0, final: false, pool: 1, backboneParams: 0, backboneMacs: 100, classifierParams: 0, classifierMacs: 10 },
    { afterStage: 4, final: true, pool: 1, backboneParams: 0, backboneMacs: 300, classifierParams: 0, classifierMacs: 50 },
  ];
  assert.equal(avgMacs(exits, [0.25, 0.75]), 0.25 * 110 + 0.75 * 350);
  assert.equal(expectedMacs(exits, [0.25, 0.75]), 0.25 * 110 + 0.75 * 360);
  assert.throws(() => avgMacs(exits, [1]), /exit ratios have 1 entries but the network has 2 exits/);
});
