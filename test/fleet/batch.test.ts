import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRunner } from './fake-runner.ts';
import { testAgent, testHub } from './fleet.ts';
import { model } from './helpers.ts';

test('two agents serve 50 models one job per board; the same batch again comes from the cache', { timeout: 20_000 }, async (t) => {
  const { hub } = await testHub(t);
  const runners = [0, 1, 2, 3].map(() => new FakeRunner('nucleo', { latencyMs: 5 }));
  await testAgent(t, hub.url, 'a1', [0, 1].map((i) => ({ name: `b${i}`, profile: 'nucleo', runner: runners[i] })));
  await testAgent(t, hub.url, 'a2', [2, 3].map((i) => ({ name: `b${i}`, profile: 'nucleo', runner: runners[i] })));
  const models = Array.from({ length: 50 }, () => model());
  const first = await Promise.all(models.map((m) => hub.measure(m, 'nucleo')));
  assert.ok(first.every((m) => m.ok));
  assert.equal(runners.reduce((s, r) => s + r.calls, 0), 50);
  for (const r of runners) {
    assert.equal(r.maxActive, 1, 'a board ran two jobs at once');
    assert.ok(r.calls > 0, 'every board took part');
  }
  const second = await Promise.all(models.map((m) => hub.measure(m, 'nucleo')));
  assert.deepEqual(second, first);
  assert.equal(runners.reduce((s, r) => s + r.calls, 0), 50, 'the second batch reached a runner');
  assert.equal(hub.stats().cacheHits, 50);
});

test('identical concurrent requests are coalesced into one job; priorities order the queue', { timeout: 10_000 }, async (t) => {
  const { hub } = await testHub(t);
  const order: number[] = [];
  const runner = new FakeRunner('nucleo', { latencyMs: 20 });
  await testAgent(t, hub.url, 'a1', [{ name: 'b0', profile: 'nucleo', runner }]);
  const m = model();
  const same = await Promise.all([hub.measure(m, 'nucleo'), hub.measure(m, 'nucleo'), hub.measure(m, 'b0')]);
  // the board-name request waits behind the profile one, then finds its result in the cache
  assert.equal(runner.calls, 1);
  assert.deepEqual(same[0], same[1]);
  assert.deepEqual(same[0], same[2]);
  assert.equal(hub.stats().coalesced, 1);
  const low = model();
  const high = model();
  const blocker = hub.measure(model(), 'nucleo');
  const done = [hub.measure(low, 'nucleo', undefined, { priority: 0 }).then(() => order.push(0)), hub.measure(high, 'nucleo', undefined, { priority: 5 }).then(() => order.push(5))];
  await Promise.all([blocker, ...done]);
  assert.deepEqual(order, [5, 0]);
});
