import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BridgeError } from '../../firmware-bridge/errors.ts';
import { DB_BYTES_PER_LINE, MlperfClient } from '../../firmware-bridge/mlperf-client.ts';
import { TextLines } from '../../firmware-bridge/text-lines.ts';
import { FakeMlperfDut } from './fake-mlperf-dut.ts';

function bridgeError(code: BridgeError['code'], pattern?: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof BridgeError, String(err));
    assert.equal(err.code, code, err.message);
    if (pattern) assert.match(err.message, pattern);
    return true;
  };
}

for (const noisy of [false, true]) {
  test(`the client reads name, profile, input, infer and results from a DUT${noisy ? ' that interleaves noise, in 3-byte chunks' : ''}`, async () => {
    const dut = new FakeMlperfDut({ name: 'nucleo-l4r5zi', model: 'ic01', usPerInference: 1500, outputs: [0.25, 0.75], noisy, chunkBytes: noisy ? 3 : undefined });
    const client = new MlperfClient(dut);
    assert.equal(await client.name(), 'nucleo-l4r5zi');
    assert.deepEqual(await client.profile(), { profile: 'ULPMark for tinyML Firmware V0.0.1', model: 'ic01' });

    const input = Uint8Array.from({ length: 100 }, (_, i) => (i * 53) & 0xff);
    await client.loadInput(input);
    assert.deepEqual(dut.dbBuffer, [...input]);
    const dbLines = dut.commands.filter((c) => c.startsWith('db ') && c !== 'db load 100');
    assert.equal(dbLines.length, Math.ceil(100 / DB_BYTES_PER_LINE));
    assert.ok(dbLines.every((c) => c.length - 3 <= 2 * DB_BYTES_PER_LINE));

    const r = await client.infer(20, 5);
    assert.equal(dut.commands.at(-1), 'infer 20 5');
    assert.deepEqual(r.laps_us, [1_000_000, 1_030_000]);
    assert.equal(r.latency_us, 1500);
    assert.deepEqual(r.results, [0.25, 0.75]);
    assert.deepEqual(await client.results(), [0.25, 0.75]);
    client.close();
  });
}

test('lap timestamps that wrap the 32-bit microsecond counter still give the right latency', async () => {
  const client = new MlperfClient(new FakeMlperfDut({ bootUs: 2 ** 32 - 5000, usPerInference: 1000 }));
  const r = await client.infer(10, 0);
  assert.ok(r.laps_us[1] < r.laps_us[0]);
  assert.equal(r.latency_us, 1000);
});

test('an e-[...] line is a board_error carrying the board\'s message', async () => {
  const dut = new FakeMlperfDut();
  const client = new MlperfClient(dut);
  await assert.rejects(client.command('frobnicate 3'), (err: unknown) => {
    assert.ok(err instanceof BridgeError && err.code === 'board_error');
    assert.equal(err.boardMessage, 'Unknown command: frobnicate 3');
    return true;
  });
  // the client is still usable afterwards
  assert.equal(await client.name(), 'unspecified');

  const hung = new MlperfClient(new FakeMlperfDut({ hangAfterErrorOn: 'results' }), { commandTimeoutMs: 50 });
  await assert.rejects(hung.results(), bridgeError('board_error', /results went wrong/));
});

test('no m-ready in time is a timeout naming the command; the next command still works', async () => {
  const dut = new FakeMlperfDut({ silentOn: ['profile'] });
  const client = new MlperfClient(dut, { commandTimeoutMs: 40 });
  await assert.rejects(client.profile(), bridgeError('timeout', /"profile%"/));
  assert.equal(await client.name(), 'unspecified');
  const slowInfer = new MlperfClient(new FakeMlperfDut({ silentOn: ['infer'] }), { inferTimeoutMs: 30 });
  await assert.rejects(slowInfer.infer(1, 0), bridgeError('timeout', /infer 1 0/));
});

test('answers without the expected lines are protocol errors, and bad arguments never reach the board', async () => {
  const energy = new MlperfClient(new FakeMlperfDut({ energyMode: true }));
  await assert.rejects(energy.infer(10, 1), bridgeError('protocol', /too few timestamps/));
  const dut = new FakeMlperfDut();
  const client = new MlperfClient(dut);
  await assert.rejects(client.infer(0, 1), RangeError);
  await assert.rejects(client.loadInput(new Uint8Array(0)), RangeError);
  await assert.rejects(client.command('name%'), RangeError);
  await assert.rejects(client.command('x'.repeat(80)), RangeError);
  assert.deepEqual(dut.commands, []);
});

test('commands are sent one at a time, whatever the caller does', async () => {
  const dut = new FakeMlperfDut({ model: 'kws01' });
  const client = new MlperfClient(dut);
  const [name, profile, results] = await Promise.all([client.name(), client.profile(), client.results()]);
  assert.equal(name, 'unspecified');
  assert.equal(profile.model, 'kws01');
  assert.deepEqual(results, [0.1, 0.9]);
  assert.deepEqual(dut.commands, ['name', 'profile', 'results']);
});

test('the line reader keeps printable lines and drops binary noise and overlong lines', () => {
  const reader = new TextLines();
  const bytes = (s: string) => new TextEncoder().encode(s);
  assert.deepEqual(reader.push(bytes('m-rea')), []);
  assert.deepEqual(reader.push(bytes('dy\r\n')), ['m-ready']);
  assert.deepEqual(reader.push(Uint8Array.from([0x00, 0xff, ...bytes('m-init-done\r\n')])), ['m-init-done']);
  assert.deepEqual(reader.push(Uint8Array.from([...bytes('half'), 0x80, ...bytes('$GPGGA,1\r\n')])), ['$GPGGA,1']);
  assert.deepEqual(reader.push(bytes(`${'x'.repeat(5000)}\nok\n`)), ['ok']);
});

test('waiting for the boot banner: printed before or after the wait starts, or never', async () => {
  const early = new FakeMlperfDut();
  const client = new MlperfClient(early);
  early.emit('m-init-done\r\nm-ready\r\n');
  assert.ok((await client.waitForBoot(50)).includes('m-init-done'));

  const late = new FakeMlperfDut();
  const waiting = new MlperfClient(late).waitForBoot(500);
  setTimeout(() => late.emit('m-ready\r\n'), 10);
  await waiting;

  await assert.rejects(new MlperfClient(new FakeMlperfDut()).waitForBoot(20), bridgeError('timeout', /boot banner/));
});
