import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { SerialPort } from 'serialport';
import type { BridgeClientOptions } from '../../firmware-bridge/bridge-client.ts';
import { BridgeClient } from '../../firmware-bridge/bridge-client.ts';
import { crc32 } from '../../firmware-bridge/crc32.ts';
import { BridgeError } from '../../firmware-bridge/errors.ts';
import { Command } from '../../firmware-bridge/messages.ts';
import { openSerialTransport } from '../../firmware-bridge/serial-transport.ts';
import type { RigOptions } from './firmware-rig.ts';
import { BAUD, fakeModel, startRig } from './firmware-rig.ts';
import type { Direction, FrameFault } from './link-proxy.ts';
import { openPtyPair } from './pty-pair.ts';

const FAST: BridgeClientOptions = { commandTimeoutMs: 200, retries: 5 };

async function withRig<T>(opts: RigOptions, body: (rig: Awaited<ReturnType<typeof startRig>>) => Promise<T>): Promise<T> {
  const rig = await startRig({ proxy: {}, ...opts, client: { ...FAST, ...opts.client } });
  try {
    return await body(rig);
  } finally {
    await rig.close();
  }
}

const isBridgeError = (codes: string[], pattern?: RegExp) => (error: unknown) =>
  error instanceof BridgeError && codes.includes(error.code) && (!pattern || pattern.test(error.message));

const pastTense: Record<FrameFault, string> = { corrupt: 'corrupted', drop: 'dropped', duplicate: 'duplicated' };

/** What the client must have noticed for each fault: the board's NAK, a timeout, a damaged or a repeated frame. */
const evidence: Record<Direction, Record<FrameFault, 'naks' | 'timeouts' | 'frameErrors' | 'staleResponses'>> = {
  toBoard: { corrupt: 'naks', drop: 'timeouts', duplicate: 'staleResponses' },
  toHost: { corrupt: 'frameErrors', drop: 'timeouts', duplicate: 'staleResponses' },
};

for (const direction of ['toBoard', 'toHost'] as const) {
  for (const fault of ['corrupt', 'drop', 'duplicate'] as const) {
    test(`a ${pastTense[fault]} frame ${direction === 'toBoard' ? 'to the board' : 'to the host'} is recovered and the upload completes`, async () => {
      await withRig({ firmware: { maxPayload: 1024 } }, async ({ client, proxy }) => {
        await client.hello();
        const model = fakeModel(16 * 1024, 7);
        // the 4th frame from here: a LOAD_CHUNK (or its answer) in the middle of the upload
        proxy!.fault(direction, fault, 4);
        const result = await client.load(model);
        assert.equal(result.crc, crc32(model));
        assert.equal(result.bytes, model.length);
        assert.ok(client.stats[evidence[direction][fault]] >= 1, `stats: ${JSON.stringify(client.stats)}`);
      });
    });
  }
}

test('an interrupted upload resumes from the last acknowledged chunk with a new client', async () => {
  await withRig({ firmware: { maxPayload: 1024 } }, async ({ client, proxy, hostPath }) => {
    const model = fakeModel(64 * 1024, 3);
    let closing: Promise<void> | undefined;
    await assert.rejects(
      client.load(model, (sent) => {
        if (sent >= model.length / 2) closing ??= client.close();
      }),
      isBridgeError(['closed']),
    );
    await closing;
    const firstBytes = proxy!.stats('toBoard').bytes;

    const transport = await openSerialTransport(hostPath, BAUD);
    const second = await BridgeClient.connect(transport, FAST);
    try {
      const result = await second.load(model);
      assert.equal(result.crc, crc32(model));
      assert.ok(result.resumedFrom >= model.length / 2, `resumed from ${result.resumedFrom}`);
      const secondBytes = proxy!.stats('toBoard').bytes - firstBytes;
      assert.ok(secondBytes < model.length * 0.6, `${secondBytes} bytes sent the second time for a ${model.length}-byte model`);
    } finally {
      await second.close();
    }
  });
});

test('a model larger than the slot is refused, naming the slot size, before any byte is sent', async () => {
  await withRig({ firmware: { slotBytes: 32768 } }, async ({ client, proxy }) => {
    await assert.rejects(client.load(fakeModel(40000)), isBridgeError(['model_too_large'], /32768/));
    const types = proxy!.stats('toBoard').frameTypes;
    assert.ok(types.length >= 1, 'HELLO went out');
    assert.ok(!types.some((type) => type === Command.LOAD_BEGIN || type === Command.LOAD_CHUNK), `frames sent: ${types}`);
  });
});

test('a device sending garbage and NMEA text makes hello() fail cleanly, with its text kept for diagnosis', async () => {
  const pair = await openPtyPair();
  const transport = await openSerialTransport(pair.a, BAUD);
  const client = await BridgeClient.connect(transport, { commandTimeoutMs: 100, retries: 2 });
  const device = await new Promise<SerialPort>((resolve, reject) => {
    const port = new SerialPort({ path: pair.b, baudRate: BAUD }, (error) => (error ? reject(error) : resolve(port)));
  });
  const chatter = setInterval(() => {
    device.write('\r\n$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n');
    device.write(randomBytes(48));
  }, 5);
  await new Promise<void>((resolve) => {
    const stop = client.onText(() => {
      stop();
      resolve();
    });
  });
  try {
    const error = await client.hello().then(
      () => assert.fail('hello() succeeded against a GPS receiver'),
      (caught: unknown) => caught,
    );
    assert.ok(isBridgeError(['timeout', 'protocol'])(error), String(error));
    const text = (error as BridgeError).recentText;
    assert.ok(text.some((line) => line.startsWith('$GPGGA,')), `text kept: ${JSON.stringify(text)}`);
    assert.match((error as BridgeError).message, /HELLO/);
  } finally {
    clearInterval(chatter);
    await client.close();
    await new Promise((resolve) => device.close(resolve));
    await pair.close();
  }
});

test('a board that hangs in BENCH makes bench() time out', async () => {
  await withRig({ firmware: { hangOnBench: true }, client: { retries: 1 } }, async ({ client }) => {
    await client.load(fakeModel(8192));
    await client.alloc();
    const started = Date.now();
    await assert.rejects(client.bench(1, 3, 150), isBridgeError(['timeout'], /BENCH/));
    assert.ok(Date.now() - started < 2000);
  });
});

test('waitForBanner holds the first request until a slow board printed m-ready', async () => {
  const started = Date.now();
  await withRig({ firmware: { resetBannerDelayMs: 300 }, client: { retries: 0 } }, async ({ client, proxy }) => {
    assert.ok(Date.now() - started >= 300, 'connect returned before the banner');
    assert.equal(proxy!.stats('toBoard').frames, 0, 'nothing was sent before the banner');
    assert.equal((await client.hello()).protocolVersion, 1);
    await client.reset();
    assert.equal((await client.hello()).protocolVersion, 1);
  });
});
