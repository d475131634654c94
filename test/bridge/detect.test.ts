import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectBoards, listSerialPorts, probePort, UDEVADM_HINT } from '../../firmware-bridge/detect.ts';
import type { HelloInfo } from '../../firmware-bridge/messages.ts';
import { proposeProfile } from '../../firmware-bridge/propose-profile.ts';
import type { ByteTransport } from '../../firmware-bridge/transport.ts';
import { loadProfiles } from '../../src/measure/profiles/load.ts';
import { FakeMlperfDut } from './fake-mlperf-dut.ts';

const profiles = loadProfiles();
const fast = { listenMs: 20, nameTimeoutMs: 60, profiles };

/** A device that ignores what it is sent and prints `lines` (and `bytes`) every few milliseconds until closed. */
function chattyDevice(lines: string[], bytes: Uint8Array = new Uint8Array(0)): ByteTransport & { closed: boolean } {
  const listeners = new Set<(chunk: Uint8Array) => void>();
  let timer: NodeJS.Timeout | undefined;
  const device = {
    closed: false,
    write: async () => {},
    onData(listener: (chunk: Uint8Array) => void) {
      listeners.add(listener);
      timer ??= setInterval(() => {
        for (const l of listeners) l(Uint8Array.from([...bytes, ...new TextEncoder().encode(lines.map((s) => `${s}\r\n`).join(''))]));
      }, 5);
      return () => listeners.delete(listener);
    },
    setBaud: async () => {},
    pulseReset: async () => {},
    close: async () => {
      clearInterval(timer);
      device.closed = true;
    },
  };
  return device;
}

const hello: HelloInfo = {
  protocolVersion: 1,
  realBackend: true,
  cycleCounter: true,
  textMode: true,
  clockHz: 120_000_000,
  modelSlotBytes: 400_000,
  arenaBytes: 300_000,
  maxPayload: 1024,
  boardId: 'board-7',
  firmwareVersion: '0.1.0',
  tflmVersion: 'abc123',
  backend: 'cmsis-nn',
};

test('an MLPerf DUT is recognised by its name, and named boards get their profile', async () => {
  const dut = new FakeMlperfDut({ name: 'nucleo-l4r5zi' });
  const r = await probePort(async () => dut, '/dev/ttyACM0', fast);
  assert.equal(r.kind, 'mlperf');
  assert.equal(r.mlperfName, 'nucleo-l4r5zi');
  assert.equal(r.proposedProfile, 'nucleo-l4r5zi');
  assert.ok(r.sawBytes > 0);
  assert.match(r.sample, /m-name-dut-\[nucleo-l4r5zi\]/);
  assert.deepEqual(dut.commands, ['name']);
});

test('a cnas board answers HELLO; the USB vendor and clock propose the profile', async () => {
  const dut = new FakeMlperfDut({ name: 'board-7' });
  const r = await probePort(async () => dut, '/dev/ttyACM1', { ...fast, hello: async () => hello, usb: { vendorId: '0483', productId: '374b' } });
  assert.equal(r.kind, 'cnas');
  assert.equal(r.hello?.boardId, 'board-7');
  assert.equal(r.mlperfName, 'board-7');
  assert.equal(r.proposedProfile, 'nucleo-l4r5zi', 'ST-LINK at 120 MHz');
  assert.match(r.message, /cnas firmware 0\.1\.0/);
});

test('a GPS module is an unknown device with a sample of what it sent; garbage never throws', async () => {
  const gps = chattyDevice(['$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47'], Uint8Array.from([0x00, 0xff, 0xfe, 0x80]));
  const r = await probePort(async () => gps, '/dev/ttyUSB0', { ...fast, hello: async () => Promise.reject(new Error('no frame')) });
  assert.equal(r.kind, 'unknown');
  assert.ok(r.sawBytes > 0);
  assert.match(r.sample, /^\$GPGGA,123519/);
  assert.match(r.message, /not a benchmark board/);
  assert.equal(gps.closed, true);

  const noise = chattyDevice([], Uint8Array.from({ length: 200 }, (_, i) => (i * 97) & 0xff));
  const g = await probePort(async () => noise, '/dev/ttyUSB1', fast);
  assert.equal(g.kind, 'unknown');
});

test('a silent device, and a port that cannot be opened', async () => {
  const silent = await probePort(async () => chattyDevice([]), '/dev/ttyS0', { ...fast, usb: { vendorId: '10c4' } });
  assert.equal(silent.kind, 'unknown');
  assert.equal(silent.sawBytes, 0);
  assert.equal(silent.sample, '');
  assert.match(silent.message, /^silent \(USB vendor Silicon Labs CP210x\)/);
  assert.equal(silent.proposedProfile, 'esp32-s3-devkitc-1');

  const busy = await probePort(async () => Promise.reject(new Error('EBUSY')), '/dev/ttyACM9', fast);
  assert.equal(busy.kind, 'error');
  assert.match(busy.message, /EBUSY/);
});

test('without udevadm the ports are the tty device files, with a hint', async () => {
  const dev = mkdtempSync(join(tmpdir(), 'cnas-dev-'));
  for (const n of ['ttyS0', 'ttyACM10', 'ttyACM2', 'ttyUSB0', 'tty0', 'ttyAMA0', 'null']) writeFileSync(join(dev, n), '');
  mkdirSync(join(dev, 'pts'));
  const enoent = Object.assign(new Error('spawn udevadm ENOENT'), { code: 'ENOENT' });
  const listing = await listSerialPorts(async () => Promise.reject(enoent), dev);
  assert.deepEqual(listing.ports.map((p) => p.path.slice(dev.length + 1)), ['ttyACM2', 'ttyACM10', 'ttyUSB0', 'ttyAMA0', 'ttyS0']);
  assert.equal(listing.hint, UDEVADM_HINT);
  await assert.rejects(listSerialPorts(async () => Promise.reject(new Error('permission denied')), dev), /permission denied/);

  const found = await listSerialPorts(async () => [{ path: '/dev/ttyACM0', vendorId: '2e8a' }]);
  assert.deepEqual(found, { ports: [{ path: '/dev/ttyACM0', vendorId: '2e8a' }] });
});

test('detectBoards probes every listed port and passes the hint on', async () => {
  const devices: Record<string, ByteTransport> = { '/dev/ttyACM0': new FakeMlperfDut({ name: 'dut' }), '/dev/ttyUSB0': chattyDevice([]) };
  const detection = await detectBoards({
    ...fast,
    list: async () => [{ path: '/dev/ttyACM0', vendorId: '2E8A' }, { path: '/dev/ttyUSB0' }],
    open: async (path) => devices[path],
  });
  assert.equal(detection.hint, undefined);
  assert.deepEqual(detection.boards.map((b) => [b.path, b.kind, b.proposedProfile]), [
    ['/dev/ttyACM0', 'mlperf', 'rpi-pico'],
    ['/dev/ttyUSB0', 'unknown', undefined],
  ]);
});

test('profiles are proposed only when the clues single one out', () => {
  assert.equal(proposeProfile({ vendorId: '0483', clockHz: 120e6 }, profiles), 'nucleo-l4r5zi');
  assert.equal(proposeProfile({ vendorId: '0483', clockHz: 480e6 }, profiles), 'nucleo-h743zi2');
  assert.equal(proposeProfile({ vendorId: '0483' }, profiles), undefined, 'three ST boards');
  assert.equal(proposeProfile({ mlperfName: 'STM32L4R5ZIT6 DUT' }, profiles), 'nucleo-l4r5zi');
  assert.equal(proposeProfile({ boardId: 'ek-ra6m4' }, profiles), 'ek-ra6m4');
  assert.equal(proposeProfile({ mlperfName: 'unspecified' }, profiles), undefined);
  assert.equal(proposeProfile({ clockHz: 64e6 }, profiles), 'arduino-nano-33-ble-sense');
});
