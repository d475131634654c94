import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkCost } from '../../src/graph/cost.ts';
import { benchNet } from '../../src/nn/bench-nets.ts';

test('the reference network has the 2.97 M parameters of the CPU training measurements', () => {
  const c = networkCost(benchNet('reference'));
  assert.equal(c.params, 2_968_146);
  assert.equal(benchNet('reference').blocks.map((b) => b.mid).join(','), '16,64,72,72,120,240,200,480,672,960');
});

test('max and min bench nets are the extreme subnets of the default space at 32 px', () => {
  const max = benchNet('max');
  const min = benchNet('min');
  assert.equal(max.resolution, 32);
  assert.equal(max.blocks.length, 21);
  assert.equal(min.blocks.length, 11);
  assert.ok(networkCost(max).macs > networkCost(min).macs);
});
