import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { crc32 } from '../../firmware-bridge/crc32.ts';
import { BridgeError } from '../../firmware-bridge/errors.ts';
import type { Rig } from './firmware-rig.ts';
import { fakeModel, startRig } from './firmware-rig.ts';

// The host build of the C firmware over a socat pty pair: every command of PROTOCOL.md once, in order.
let rig: Rig;
const model = fakeModel(200 * 1024);

before(async () => {
  rig = await startRig({ firmware: { boardId: 'host-test' }, client: { commandTimeoutMs: 500 } });
});
after(async () => {
  await rig?.close();
});

test('the boot banner arrives as text before any frame', () => {
  const text = rig.client.recentText();
  assert.ok(text.some((line) => line.startsWith('m-cnas-firmware-[')), `banner lines: ${JSON.stringify(text)}`);
  assert.deepEqual(text.slice(-2), ['m-init-done', 'm-ready']);
});

test('HELLO describes the host build', async () => {
  const info = await rig.client.hello();
  assert.equal(info.protocolVersion, 1);
  assert.equal(info.boardId, 'host-test');
  assert.equal(info.realBackend, false, 'the host build has a stand-in backend');
  assert.equal(info.textMode, true);
  assert.ok(info.maxPayload >= 256);
  assert.ok(info.modelSlotBytes >= model.length, `slot of ${info.modelSlotBytes} bytes`);
  assert.ok(info.firmwareVersion.length > 0 && info.backend.length > 0 && info.tflmVersion.length > 0);
});

test('LOAD streams a 200 kB model and the board confirms its CRC', async () => {
  let last = 0;
  const result = await rig.client.load(model, (sent, total) => {
    assert.ok(sent >= last && total === model.length);
    last = sent;
  });
  assert.deepEqual({ bytes: result.bytes, crc: result.crc, resumedFrom: result.resumedFrom }, { bytes: model.length, crc: crc32(model), resumedFrom: 0 });
  assert.equal(last, model.length);
  assert.equal(rig.client.stats.resends, 0);
});

test('ALLOC, SET_INPUT, BENCH and GET_OUTPUT run the model', async () => {
  const alloc = await rig.client.alloc();
  assert.ok(alloc.arenaUsedBytes > 0);
  assert.ok(alloc.inputs.length >= 1 && alloc.outputs.length >= 1);
  const input = Uint8Array.from({ length: alloc.inputs[0].bytes }, (_, i) => i & 0xff);
  assert.equal(await rig.client.setInput(0, input), input.length);

  const bench = await rig.client.bench(2, 5, 5000);
  assert.equal(bench.cycles.length, 5);
  assert.equal(bench.warmups, 2);
  assert.equal(bench.timer, 'host-clock');
  assert.equal(bench.real, false);
  assert.ok(bench.clockHz > 0);

  const output = await rig.client.getOutput(0);
  assert.equal(output.length, alloc.outputs[0].bytes);
});

test('a board ERROR comes back typed, with its code name', async () => {
  await assert.rejects(rig.client.getOutput(7), (error: unknown) => error instanceof BridgeError && error.code === 'board_error' && typeof error.boardCode === 'string');
});

test('RESET restarts the board and waits for its banner; the model slot is empty afterwards', async () => {
  await rig.client.reset();
  assert.equal(rig.client.recentText().at(-1), 'm-ready');
  await assert.rejects(rig.client.alloc(), (error: unknown) => error instanceof BridgeError && error.boardCode === 'no_model');
});

test('SET_BAUD switches both ends and HELLO still answers', async () => {
  assert.equal(await rig.client.setBaud(921600), 921600);
  assert.equal((await rig.client.hello()).boardId, 'host-test');
});
