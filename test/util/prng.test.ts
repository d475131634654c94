import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../../src/util/prng.ts';

test('same seed gives the same stream', () => {
  const a = new Prng(42);
  const b = new Prng(42);
  for (let i = 0; i < 100; i++) assert.equal(a.nextUint32(), b.nextUint32());
});

test('different seeds give different streams', () => {
  const a = new Prng(1);
  const b = new Prng(2);
  const sa = Array.from({ length: 8 }, () => a.nextUint32());
  const sb = Array.from({ length: 8 }, () => b.nextUint32());
  assert.notDeepEqual(sa, sb);
});

test('int(n) is uniform enough and in range', () => {
  const r = new Prng(7);
  const counts = [0, 0, 0];
  for (let i = 0; i < 30000; i++) counts[r.int(3)]++;
  for (const c of counts) assert.ok(c > 9500 && c < 10500, `count ${c}`);
});
