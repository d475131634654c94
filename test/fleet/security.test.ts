import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startAgent } from '../../agent/agent.ts';
import { AgentRejectedError } from '../../agent/errors.ts';
import { authAnswer } from '../../src/protocol/auth.ts';
import { FakeRunner } from './fake-runner.ts';
import { testAgent, testHub, TOKEN } from './fleet.ts';
import { memoryLogger, model } from './helpers.ts';

/** A hand-driven peer: every frame it receives, and how its connection ended. */
async function rawPeer(url: string): Promise<{ ws: WebSocket; received: Record<string, unknown>[]; closed: Promise<number> }> {
  const ws = new WebSocket(url);
  const received: Record<string, unknown>[] = [];
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('error', () => undefined);
  const first = new Promise<void>((resolve) => ws.once('message', () => resolve()));
  ws.on('message', (data) => received.push(JSON.parse(data.toString()) as Record<string, unknown>));
  await first;
  return { ws, received, closed };
}

function hello(nonce: string, token: string, id = 'intruder'): string {
  return JSON.stringify({ v: 1, type: 'hello', role: 'agent', id, nonce, answer: authAnswer(token, nonce, id), boards: [] });
}

/** The fleet still works: the honest agent's board measures a model. */
async function stillServing(measure: () => Promise<{ ok: boolean }>): Promise<void> {
  assert.ok((await measure()).ok, 'the hub stopped serving');
}

test('a wrong token rejects the agent start with a clear error; the token never crosses the wire', { timeout: 10_000 }, async (t) => {
  const { hub, records } = await testHub(t);
  await testAgent(t, hub.url, 'honest', [{ name: 'b', profile: 'nucleo', runner: new FakeRunner('nucleo') }]);
  const start = startAgent({ hubUrl: hub.url, token: 'wrong', id: 'mallory', boards: [], logger: memoryLogger().logger });
  await assert.rejects(start, (err: Error) => err instanceof AgentRejectedError && /refused agent "mallory".*wrong token/.test(err.message));
  assert.ok(records.some((r) => r.msg === 'authentication failed' && r.peer === 'mallory'));
  const peer = await rawPeer(hub.url);
  peer.ws.send(hello(peer.received[0].nonce as string, TOKEN, 'probe'));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(!JSON.stringify(peer.received).includes(TOKEN));
  peer.ws.close();
  await stillServing(() => hub.measure(model(), 'nucleo'));
});

test('a replayed handshake (an old nonce and its valid answer) is refused', { timeout: 10_000 }, async (t) => {
  const { hub, records } = await testHub(t);
  await testAgent(t, hub.url, 'honest', [{ name: 'b', profile: 'nucleo', runner: new FakeRunner('nucleo') }]);
  const first = await rawPeer(hub.url);
  const recorded = hello(first.received[0].nonce as string, TOKEN);
  first.ws.send(recorded);
  first.ws.send(recorded); // a replay on the same connection
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(first.received[1].type, 'welcome');
  assert.equal(first.received[2].code, 'unexpected');
  first.ws.close();
  const second = await rawPeer(hub.url);
  second.ws.send(recorded); // the same hello on a new connection: its nonce is not this connection's
  assert.equal(await second.closed, 4001);
  assert.equal(second.received[1].code, 'auth_failed');
  assert.ok(records.some((r) => r.msg === 'authentication failed' && r.replay === true));
  await stillServing(() => hub.measure(model(), 'nucleo'));
});

test('malformed, unknown and oversized messages are answered and logged; the hub keeps serving', { timeout: 10_000 }, async (t) => {
  const { hub, records } = await testHub(t, { maxMessageBytes: 64 * 1024 });
  await testAgent(t, hub.url, 'honest', [{ name: 'b', profile: 'nucleo', runner: new FakeRunner('nucleo') }]);
  const peer = await rawPeer(hub.url);
  peer.ws.send(hello(peer.received[0].nonce as string, TOKEN, 'chatty'));
  for (const bad of ['{nope', '[]', '{"v":1,"type":"launch"}', '{"v":9,"type":"pong","seq":1}', '{"v":1,"type":"result","job_id":"x"}']) peer.ws.send(bad);
  await new Promise((resolve) => setTimeout(resolve, 100));
  const codes = peer.received.filter((m) => m.type === 'error').map((m) => m.code);
  assert.deepEqual(codes, ['malformed', 'malformed', 'unknown_type', 'unsupported_version', 'malformed']);
  assert.equal(records.filter((r) => r.msg === 'bad message').length, 5);
  await stillServing(() => hub.measure(model(), 'nucleo'));

  peer.ws.send('x'.repeat(100 * 1024));
  assert.equal(await peer.closed, 1009, 'an oversized frame closes the connection');
  assert.ok(records.some((r) => r.msg === 'connection error' && /Max payload size exceeded/.test(String(r.err))));
  // unauthenticated garbage ends the connection at once
  const stranger = await rawPeer(hub.url);
  stranger.ws.send('{"v":1,"type":"submit"}');
  assert.equal(await stranger.closed, 4002);
  await stillServing(() => hub.measure(model(), 'nucleo'));
  await assert.rejects(hub.measure(model(64 * 1024), 'nucleo'), /does not fit in a message/);
});

test('a model larger than the flash of every matching board is refused before dispatch', { timeout: 10_000 }, async (t) => {
  const { hub } = await testHub(t);
  const small = new FakeRunner('nucleo');
  await testAgent(t, hub.url, 'a1', [
    { name: 'b0', profile: 'nucleo', runner: small, flash_bytes: 1000, sram_bytes: 320 },
    { name: 'b1', profile: 'nucleo', runner: small, flash_bytes: 2000, sram_bytes: 320 },
  ]);
  const m = await hub.measure(model(3000), 'nucleo');
  assert.equal(m.ok, false);
  assert.equal(!m.ok && m.reason, 'flash_overflow');
  assert.match(!m.ok ? m.message : '', /refused before dispatch: the model \(3000 B\) exceeds the flash of every board matching "nucleo" \(largest: a1\/b1, 2000 B\)/);
  assert.equal(small.calls, 0);
  // a model that fits only the larger board goes there
  const fits = await hub.measure(model(1500), 'nucleo');
  assert.ok(fits.ok && fits.provenance.board === 'b1');
});
