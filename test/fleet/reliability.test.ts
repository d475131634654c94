import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectHub } from '../../host/hub/client.ts';
import { createHub } from '../../host/hub/hub.ts';
import { HubClosedError } from '../../host/hub/errors.ts';
import { MeasurementCache } from '../../src/measure/cache.ts';
import { DEFAULT_MEASURE_SETTINGS } from '../../src/measure/measurement.ts';
import { sha256Hex } from '../../src/protocol/digest.ts';
import { FakeRunner } from './fake-runner.ts';
import { testAgent, testHub, TOKEN } from './fleet.ts';
import { memoryLogger, model, tcpProxy, waitFor } from './helpers.ts';

test('an agent killed during a job: the job completes on another agent, once', { timeout: 10_000 }, async (t) => {
  const { hub } = await testHub(t);
  const proxy = await tcpProxy(hub.port);
  t.after(() => proxy.close());
  const slow = new FakeRunner('nucleo', { latencyMs: 300 });
  const a1 = await testAgent(t, proxy.url, 'a1', [{ name: 'b', profile: 'nucleo', runner: slow }]);
  const pending = hub.measure(model(), 'nucleo');
  await waitFor('the job to start on a1', () => slow.calls === 1);
  const fast = new FakeRunner('nucleo', { latencyMs: 5 });
  await testAgent(t, hub.url, 'a2', [{ name: 'b', profile: 'nucleo', runner: fast }]);
  proxy.cut();
  const m = await pending;
  assert.ok(m.ok);
  assert.equal(m.provenance.agent, 'a2');
  // a1 reconnects through the proxy and delivers its late answer: dropped, not a second result
  await waitFor('a1 to reconnect', () => a1.connected() && hub.boards().length === 2);
  await waitFor('the late answer', () => hub.stats().stale === 1);
  assert.equal(hub.stats().completed, 1);
});

test('an agent killed during a job and reconnecting: the job completes after the reconnect', { timeout: 10_000 }, async (t) => {
  const { hub } = await testHub(t);
  const proxy = await tcpProxy(hub.port);
  t.after(() => proxy.close());
  const runner = new FakeRunner('nucleo', { latencyMs: 200 });
  await testAgent(t, proxy.url, 'a1', [{ name: 'b', profile: 'nucleo', runner }]);
  const pending = hub.measure(model(), 'nucleo');
  await waitFor('the job to start', () => runner.calls === 1);
  proxy.cut();
  const m = await pending;
  assert.ok(m.ok);
  // the resent job is recognised by the agent, which answers it without running the model again
  assert.equal(runner.calls, 1);
  assert.equal(runner.maxActive, 1);
  assert.equal(hub.stats().completed, 1);
});

test('a board that stops answering is timed out, its job rescheduled, and it is marked unhealthy', { timeout: 10_000 }, async (t) => {
  const { hub, records } = await testHub(t, { jobTimeoutMs: 100, unhealthyAfter: 2 });
  const stuck = new FakeRunner('nucleo', { latencyMs: 250 });
  const good = new FakeRunner('nucleo', { latencyMs: 5 });
  await testAgent(t, hub.url, 'a1', [{ name: 'stuck', profile: 'nucleo', runner: stuck }]);
  await testAgent(t, hub.url, 'a2', [{ name: 'good', profile: 'nucleo', runner: good }]);
  const stuckIdle = (): boolean => hub.boards().some((b) => b.name === 'stuck' && !b.busy);
  for (let round = 1; round <= 3; round++) {
    const results = await Promise.all([model(), model()].map((m) => hub.measure(m, 'nucleo')));
    assert.ok(results.every((r) => r.ok && r.provenance.board === 'good'), `round ${round}: a result came from the stuck board`);
    await waitFor('the stuck board to answer late', stuckIdle);
  }
  assert.equal(stuck.calls, 2, 'the unhealthy board was given a third job');
  assert.equal(hub.boards().find((b) => b.name === 'stuck')?.healthy, false);
  assert.equal(hub.stats().timeouts, 2);
  assert.ok(records.some((r) => r.msg === 'board marked unhealthy'));
});

test('a runner that finds its board unresponsive hands the job back; twice and the board is unhealthy', { timeout: 10_000 }, async (t) => {
  const { hub, records } = await testHub(t, { unhealthyAfter: 2 });
  const dead = new FakeRunner('nucleo', { behaviour: () => 'unresponsive' });
  const good = new FakeRunner('nucleo', { latencyMs: 20 });
  await testAgent(t, hub.url, 'a1', [{ name: 'dead', profile: 'nucleo', runner: dead }]);
  await testAgent(t, hub.url, 'a2', [{ name: 'good', profile: 'nucleo', runner: good }]);
  const results = await Promise.all([1, 2, 3, 4].map(() => hub.measure(model(), 'nucleo')));
  assert.ok(results.every((r) => r.ok && r.provenance.board === 'good'), 'every job ended on the healthy board');
  assert.ok(dead.calls >= 1 && dead.calls <= 2, `the unresponsive board ran ${dead.calls} jobs`);
  assert.equal(hub.boards().find((b) => b.name === 'dead')?.healthy, false);
  assert.ok(records.some((r) => r.msg === 'board marked unhealthy'));
});

test('a job that times out on every board fails with reason timeout after maxAttempts', { timeout: 10_000 }, async (t) => {
  const { hub } = await testHub(t, { jobTimeoutMs: 50, maxAttempts: 2, unhealthyAfter: 10 });
  const runners = [0, 1].map(() => new FakeRunner('nucleo', { behaviour: () => 'hang' }));
  await testAgent(t, hub.url, 'a1', runners.map((runner, i) => ({ name: `b${i}`, profile: 'nucleo', runner })));
  const m = await hub.measure(model(), 'nucleo');
  assert.equal(m.ok, false);
  assert.equal(!m.ok && m.reason, 'timeout');
  assert.deepEqual(runners.map((r) => r.calls), [1, 1], 'the retry went to the other board');
});

test('the hub restarts: the cache survives and a pending request is resubmitted by the client', { timeout: 15_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cnas-fleet-'));
  const cachePath = join(dir, 'cache.sqlite');
  const opts = { token: TOKEN, cachePath, host: '127.0.0.1', jobTimeoutMs: 2000, heartbeatMs: 100 };
  const hub1 = await createHub({ ...opts, port: 0, logger: memoryLogger().logger });
  const runner = new FakeRunner('nucleo', { latencyMs: 150 });
  await testAgent(t, hub1.url, 'a1', [{ name: 'b', profile: 'nucleo', runner, firmware: 'fw-1' }]);
  const cached = model();
  const before = await hub1.measure(cached, 'nucleo');
  assert.ok(before.ok);

  const client = await connectHub({ url: hub1.url, token: TOKEN, logger: memoryLogger().logger, backoff: { initialMs: 20, maxMs: 200 } });
  t.after(() => client.close());
  const inFlight = model();
  const direct = hub1.measure(inFlight, 'nucleo').catch((err: unknown) => err);
  const viaClient = client.measure(inFlight, 'nucleo');
  await waitFor('the job to start', () => runner.calls === 2);
  await hub1.close();
  assert.ok((await direct) instanceof HubClosedError, 'an in-process caller is told to resubmit');

  const hub2 = await createHub({ ...opts, port: hub1.port, logger: memoryLogger().logger });
  t.after(() => hub2.close());
  const resubmitted = await viaClient;
  assert.ok(resubmitted.ok);
  assert.deepEqual(await hub2.measure(cached, 'nucleo'), before);
  const key = { sha256: sha256Hex(cached), profile: 'nucleo', settings: DEFAULT_MEASURE_SETTINGS, firmware: 'fw-1' };
  const reader = new MeasurementCache(cachePath);
  t.after(() => reader.close());
  assert.deepEqual(reader.get(key), before);
  // the cached model was not measured again; the interrupted one was measured again by the new hub
  assert.equal(runner.calls, 3);
});
