import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BridgeClient } from '../../firmware-bridge/bridge-client.ts';
import { BridgeError } from '../../firmware-bridge/errors.ts';
import { Command } from '../../firmware-bridge/messages.ts';
import type { FakeBoardOptions } from './fake-board.ts';
import { FakeBoard } from './fake-board.ts';

const FAST = { commandTimeoutMs: 40, retries: 5 };

async function setup(opts: FakeBoardOptions = {}, clientOpts = FAST) {
  const board = new FakeBoard(opts);
  const client = await BridgeClient.connect(board.transport, clientOpts);
  return { board, client };
}

const model = (length: number) => Uint8Array.from({ length }, (_, i) => (i * 31 + 7) & 0xff);
const isBridgeError = (code: string, pattern?: RegExp) => (error: unknown) =>
  error instanceof BridgeError && error.code === code && (!pattern || pattern.test(error.message));

test('HELLO and a clean upload in maxPayload-4 chunks', async () => {
  const { board, client } = await setup();
  const info = await client.hello();
  assert.equal(info.boardId, 'fake-board');
  const progress: number[] = [];
  const result = await client.load(model(1000), (sent) => progress.push(sent));
  assert.equal(result.bytes, 1000);
  assert.deepEqual(progress, [0, 252, 504, 756, 1000]);
  const chunks = board.received.filter((f) => f.type === Command.LOAD_CHUNK);
  assert.deepEqual(chunks.map((f) => f.payload.length - 4), [252, 252, 252, 244]);
  assert.equal(client.stats.resends, 0);
});

test('seq increments per request and wraps at 256', async () => {
  const { board, client } = await setup();
  for (let i = 0; i < 257; i++) await client.hello();
  const seqs = board.received.map((f) => f.seq);
  assert.deepEqual(seqs.slice(1).map((seq, i) => (seq - seqs[i] + 256) % 256), new Array(256).fill(1));
  assert.equal(seqs[256], seqs[0]);
});

test('a dropped request is resent with the same seq after the timeout', async () => {
  const { board, client } = await setup({ requestFaults: { 1: 'drop' } });
  await client.hello();
  await client.hello();
  const [first, second, resent] = board.received.map((f) => f.seq);
  assert.equal(second, (first + 1) % 256);
  assert.equal(resent, second);
  assert.equal(client.stats.timeouts, 1);
});

test('a NAK makes the client resend at once, same seq', async () => {
  const { board, client } = await setup({ requestFaults: { 0: 'nak' } });
  const started = Date.now();
  await client.hello();
  assert.ok(Date.now() - started < FAST.commandTimeoutMs, 'no timeout waited out');
  assert.equal(board.received.length, 2);
  assert.equal(board.received[0].seq, board.received[1].seq);
  assert.equal(client.stats.naks, 1);
});

test('a lost response is answered again from the board cache, not executed twice', async () => {
  const { board, client } = await setup({ responseFaults: { 2: 'drop' } });
  await client.load(model(600));
  const chunkOffsets = board.executed.filter((f) => f.type === Command.LOAD_CHUNK).map((f) => new DataView(f.payload.buffer).getUint32(0, true));
  assert.deepEqual(chunkOffsets, [0, 252, 504]);
  assert.equal(board.received.length, board.executed.length + 1);
});

test('a damaged response triggers an immediate resend', async () => {
  const { client } = await setup({ responseFaults: { 0: 'corrupt' } });
  await client.hello();
  assert.equal(client.stats.frameErrors, 1);
  assert.equal(client.stats.resends, 1);
  assert.equal(client.stats.timeouts, 0);
});

test('duplicated and stale responses are ignored', async () => {
  const { client } = await setup({ responseFaults: { 1: 'duplicate', 2: 'stale-first' } });
  await client.load(model(300));
  assert.ok(client.stats.staleResponses >= 2);
  assert.equal(client.stats.resends, 0);
});

test('gives up with a timeout after the retries, saying what the port carried', async () => {
  const board = new FakeBoard({ requestFaults: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [i, 'drop'])) });
  const client = await BridgeClient.connect(board.transport, { commandTimeoutMs: 20, retries: 2 });
  board.emit('$GPGGA,123519,4807.038,N\r\n');
  await assert.rejects(client.hello(), isBridgeError('timeout', /HELLO: no valid response after 3 attempts \(3x no answer within 20 ms\).*GPGGA/));
  assert.equal(board.received.length, 3);
});

test('a model larger than the slot is refused before any byte goes out', async () => {
  const { board, client } = await setup({ slotBytes: 1024 });
  await client.hello();
  await assert.rejects(client.load(model(1025)), isBridgeError('model_too_large', /1024/));
  assert.equal(board.received.filter((f) => f.type !== Command.HELLO).length, 0);
});

test('a board ERROR carries its code name, detail and message', async () => {
  const { client } = await setup({ slotBytes: 1024 });
  await assert.rejects(client.getOutput(0).then(() => client.reset()), (error: unknown) => {
    assert.ok(error instanceof BridgeError);
    assert.equal(error.code, 'board_error');
    assert.equal(error.boardCode, 'unknown_command');
    assert.equal(error.detail, Command.RESET);
    assert.equal(error.boardMessage, 'unknown command');
    return true;
  });
});

test('bench asks again until it has all runs when the board lowers N', async () => {
  const { board, client } = await setup({ maxRunsPerBench: 40 });
  const result = await client.bench(5, 100, 1000);
  assert.equal(result.cycles.length, 100);
  assert.equal(result.runs, 100);
  assert.equal(result.warmups, 5);
  assert.equal(result.timer, 'host-clock');
  const asked = board.executed.filter((f) => f.type === Command.BENCH).map((f) => [f.payload[0], f.payload[2]]);
  assert.deepEqual(asked, [
    [5, 100],
    [0, 60],
    [0, 20],
  ]);
});

test('getOutput reads an output larger than one frame', async () => {
  const { client } = await setup();
  const output = await client.getOutput(0);
  assert.deepEqual(output, Uint8Array.from({ length: 600 }, (_, i) => i & 0xff));
});

test('waitForBanner waits for m-ready and times out cleanly without it', async () => {
  const board = new FakeBoard();
  const lines: string[] = [];
  const connecting = BridgeClient.connect(board.transport, { waitForBanner: true, bannerTimeoutMs: 500 });
  setTimeout(() => board.emit('m-cnas-firmware-[0.0.1]\r\nm-init-done\r\nm-ready\r\n'), 30);
  const client = await connecting;
  client.onText((line) => lines.push(line));
  assert.deepEqual(client.recentText(), ['m-cnas-firmware-[0.0.1]', 'm-init-done', 'm-ready']);
  board.emit('m-lap-us-12\r\n');
  assert.deepEqual(lines, ['m-lap-us-12']);
  await assert.rejects(BridgeClient.connect(new FakeBoard().transport, { waitForBanner: true, bannerTimeoutMs: 30 }), isBridgeError('timeout', /m-ready/));
});

test('close fails the outstanding request with code closed', async () => {
  const { client } = await setup({ requestFaults: { 0: 'drop' } }, { commandTimeoutMs: 1000, retries: 0 });
  const pending = client.hello();
  await client.close();
  await assert.rejects(pending, isBridgeError('closed'));
});

test('setBaud switches both ends, and falls back to the old rate when HELLO fails at the new one', async () => {
  const { board, client } = await setup({ deafAtBaud: 921600 }, { commandTimeoutMs: 20, retries: 1 });
  assert.equal(await client.setBaud(230400), 230400);
  assert.equal(board.hostBaud, 230400);
  assert.equal(await client.setBaud(921600), 230400);
  assert.equal(board.hostBaud, 230400);
  assert.equal((await client.hello()).boardId, 'fake-board');
});
