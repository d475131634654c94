import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BridgeError } from '../../firmware-bridge/errors.ts';
import {
  decodeAlloc,
  decodeBench,
  decodeBoardError,
  decodeGetOutput,
  decodeHello,
  decodeLoadEnd,
  decodeNak,
  encodeBench,
  encodeGetOutput,
  encodeLoadBegin,
  encodeLoadChunk,
  encodeSetInput,
} from '../../firmware-bridge/messages.ts';

const le = (...fields: [number, 1 | 2 | 4][]) => {
  const out: number[] = [];
  for (const [value, size] of fields) for (let i = 0; i < size; i++) out.push((value >>> (8 * i)) & 0xff);
  return out;
};
const str = (s: string) => [s.length, ...new TextEncoder().encode(s)];

test('request payloads are little-endian as PROTOCOL.md lays them out', () => {
  assert.deepEqual([...encodeLoadBegin(0x01020304, 0xcbf43926)], le([0x01020304, 4], [0xcbf43926, 4]));
  assert.deepEqual([...encodeLoadChunk(256, Uint8Array.of(7, 8))], [0, 1, 0, 0, 7, 8]);
  assert.deepEqual([...encodeSetInput(2, 5, Uint8Array.of(9))], [2, 5, 0, 0, 0, 9]);
  assert.deepEqual([...encodeBench(3, 1000)], le([3, 2], [1000, 2]));
  assert.deepEqual([...encodeGetOutput(1, 70000, 512)], [1, ...le([70000, 4], [512, 2])]);
});

test('HELLO decodes flags, sizes and strings', () => {
  const payload = Uint8Array.from([
    1,
    0b101,
    ...le([480_000_000, 4], [262_144, 4], [131_072, 4], [4092, 2]),
    ...str('nucleo-h743zi'),
    ...str('0.3.0'),
    ...str('2024.05'),
    ...str('tflm cmsis-nn'),
  ]);
  assert.deepEqual(decodeHello(payload), {
    protocolVersion: 1,
    realBackend: true,
    cycleCounter: false,
    textMode: true,
    clockHz: 480_000_000,
    modelSlotBytes: 262_144,
    arenaBytes: 131_072,
    maxPayload: 4092,
    boardId: 'nucleo-h743zi',
    firmwareVersion: '0.3.0',
    tflmVersion: '2024.05',
    backend: 'tflm cmsis-nn',
  });
});

test('a truncated response is a protocol error, not a RangeError', () => {
  assert.throws(
    () => decodeHello(Uint8Array.of(1, 0, 0)),
    (error: unknown) => error instanceof BridgeError && error.code === 'protocol' && /HELLO/.test(error.message),
  );
});

test('ALLOC, BENCH, LOAD_END and GET_OUTPUT responses decode', () => {
  const alloc = Uint8Array.from([...le([9000, 4], [1000, 4], [8000, 4]), 1, 2, 9, ...le([3072, 4]), 9, ...le([10, 4]), 0, ...le([40, 4])]);
  assert.deepEqual(decodeAlloc(alloc), {
    arenaUsedBytes: 9000,
    persistentBytes: 1000,
    nonPersistentBytes: 8000,
    inputs: [{ type: 9, bytes: 3072 }],
    outputs: [
      { type: 9, bytes: 10 },
      { type: 0, bytes: 40 },
    ],
  });
  const bench = Uint8Array.from([...le([2, 2], [3, 2], [64_000_000, 4]), 0, 1, ...le([100, 4], [101, 4], [99, 4])]);
  assert.deepEqual(decodeBench(bench), { warmups: 2, runs: 3, clockHz: 64_000_000, timer: 'cycle-counter', real: true, cycles: [100, 101, 99] });
  assert.equal(decodeBench(Uint8Array.from([...le([0, 2], [0, 2], [1, 4]), 2, 0])).timer, 'host-clock');
  assert.throws(() => decodeBench(Uint8Array.from([...le([0, 2], [0, 2], [1, 4]), 7, 0])), /unknown timer 7/);
  assert.deepEqual(decodeLoadEnd(Uint8Array.from(le([200_000, 4], [0xdeadbeef, 4]))), { bytes: 200_000, crc: 0xdeadbeef });
  assert.deepEqual(decodeGetOutput(Uint8Array.from([...le([10, 4]), 1, 2, 3])), { totalBytes: 10, bytes: Uint8Array.of(1, 2, 3) });
});

test('ERROR and NAK frames decode to names', () => {
  const error = Uint8Array.from([9, ...le([4096, 4]), ...new TextEncoder().encode('expected offset 4096')]);
  assert.deepEqual(decodeBoardError(error), { code: 'bad_offset', detail: 4096, message: 'expected offset 4096' });
  assert.equal(decodeBoardError(Uint8Array.from([3, ...le([1, 4])])).code, 'model_too_large');
  assert.equal(decodeBoardError(Uint8Array.from([10, ...le([1, 4])])).code, 'unsupported_baud');
  assert.equal(decodeBoardError(Uint8Array.from([42, ...le([1, 4])])).code, 'code_42');
  assert.equal(decodeNak(Uint8Array.of(1)), 'bad_crc');
  assert.equal(decodeNak(Uint8Array.of(3)), 'frame_too_large');
  assert.equal(decodeNak(Uint8Array.of()), 'unknown');
});
