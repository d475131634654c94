import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoardUnresponsiveError } from '../../agent/errors.ts';
import { DEFAULT_MEASURE_SETTINGS } from '../../src/measure/measurement.ts';
import { int8Model, serialBoard, serialRunner } from './serial-board.ts';

const settings = { ...DEFAULT_MEASURE_SETTINGS, warmupRuns: 1, timedRuns: 5 };
const model = int8Model();

test('the serial runner measures an exported int8 model on the host firmware, and says the backend is a stand-in', { timeout: 30_000 }, async (t) => {
  const { port } = await serialBoard(t);
  const runner = serialRunner(t, port);
  const m = await runner.measure(model, settings);
  assert.ok(m.ok, m.ok ? '' : m.message);
  assert.equal(m.latency.runs_ms.length, 5);
  assert.ok(m.latency.runs_ms.every((r) => r > 0));
  assert.ok(m.arena.bytes > 0, 'the arena comes from the board');
  assert.ok(m.flash_bytes > model.length, 'flash counts the model and the runtime');
  assert.ok(m.macs > 0 && m.params > 0);
  assert.equal(m.provenance.simulated, true, 'the stand-in backend is not a real measurement');
  assert.match(m.provenance.runtime, /stand-in/);
  assert.match(m.provenance.firmware, /^cnas-firmware 1\.0\.0/);
  // a second model on the same connection: the slot is reused
  const again = await runner.measure(int8Model(5), settings);
  assert.ok(again.ok);
});

test('a model larger than the board\'s slot is a flash_overflow naming the slot size, and nothing is uploaded', { timeout: 30_000 }, async (t) => {
  const { port } = await serialBoard(t, { slotBytes: 64 * 1024 });
  const runner = serialRunner(t, port);
  const m = await runner.measure(model, settings);
  assert.equal(m.ok, false);
  assert.equal(!m.ok && m.reason, 'flash_overflow');
  assert.match(!m.ok ? m.message : '', /65536 B/);
  assert.match(!m.ok ? m.message : '', /nothing was sent/);
});

test('an arena too small for the model is an arena_overflow, not a crash', { timeout: 30_000 }, async (t) => {
  const { port } = await serialBoard(t, { arenaBytes: 4096 });
  const m = await serialRunner(t, port).measure(model, settings);
  assert.equal(m.ok, false);
  assert.equal(!m.ok && m.reason, 'arena_overflow');
});

test('a board that hangs in BENCH makes the runner throw BoardUnresponsiveError, and the next job reconnects', { timeout: 30_000 }, async (t) => {
  const { port } = await serialBoard(t, { hangOnBench: true });
  const runner = serialRunner(t, port, { benchTimeoutMs: 400 });
  await assert.rejects(runner.measure(model, settings), (err: Error) => err instanceof BoardUnresponsiveError && /lab-1/.test(err.message));
  // still hung: the runner reconnects, HELLO gets no answer, and it says so again rather than hanging
  await assert.rejects(runner.measure(model, settings), BoardUnresponsiveError);
});

test('with uploadBaud the runner negotiates the faster rate after HELLO and measures as before', { timeout: 30_000 }, async (t) => {
  const { port } = await serialBoard(t);
  const m = await serialRunner(t, port, { uploadBaud: 921600 }).measure(model, settings);
  assert.ok(m.ok, m.ok ? '' : m.message);
});
