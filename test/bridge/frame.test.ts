import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cobsDecode } from '../../firmware-bridge/cobs.ts';
import { crc32 } from '../../firmware-bridge/crc32.ts';
import { buildFrame, encodeFrame, parseFrame } from '../../firmware-bridge/frame.ts';

test('a frame is type, seq, u16 length, payload and the CRC of all that, little-endian', () => {
  const raw = buildFrame({ type: 0x03, seq: 0x2a, payload: Uint8Array.of(1, 0, 2) });
  assert.deepEqual([...raw.subarray(0, 7)], [0x03, 0x2a, 3, 0, 1, 0, 2]);
  assert.equal(new DataView(raw.buffer).getUint32(7, true), crc32(raw.subarray(0, 7)));
});

test('on the wire a frame is 0x00 COBS(frame) 0x00 and parses back', () => {
  const frame = { type: 0x81, seq: 255, payload: Uint8Array.from({ length: 300 }, (_, i) => i % 5) };
  const wire = encodeFrame(frame);
  assert.equal(wire[0], 0);
  assert.equal(wire[wire.length - 1], 0);
  assert.equal(wire.subarray(1, -1).includes(0), false);
  assert.deepEqual(parseFrame(cobsDecode(wire.subarray(1, -1))!), { ok: true, frame });
});

test('a frame with a wrong length or CRC is rejected', () => {
  const raw = buildFrame({ type: 1, seq: 1, payload: Uint8Array.of(1) });
  assert.deepEqual(parseFrame(raw.subarray(0, 7)), { ok: false, reason: 'bad_length' });
  assert.deepEqual(parseFrame(raw.subarray(0, 3)), { ok: false, reason: 'bad_length' });
  const damaged = raw.slice();
  damaged[4] ^= 0x80;
  assert.deepEqual(parseFrame(damaged), { ok: false, reason: 'bad_crc' });
  assert.throws(() => buildFrame({ type: 1, seq: 0, payload: new Uint8Array(0x10000) }), RangeError);
});
