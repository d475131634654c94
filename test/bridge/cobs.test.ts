import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cobsDecode, cobsEncode, cobsMaxEncodedLength } from '../../firmware-bridge/cobs.ts';

const bytes = (...values: number[]) => Uint8Array.from(values);
const run = (length: number, value = 0x11) => new Uint8Array(length).fill(value);

test('COBS encodes the textbook examples', () => {
  assert.deepEqual(cobsEncode(bytes()), bytes(0x01));
  assert.deepEqual(cobsEncode(bytes(0x00)), bytes(0x01, 0x01));
  assert.deepEqual(cobsEncode(bytes(0x00, 0x00)), bytes(0x01, 0x01, 0x01));
  assert.deepEqual(cobsEncode(bytes(0x11, 0x22, 0x00, 0x33)), bytes(0x03, 0x11, 0x22, 0x02, 0x33));
  assert.deepEqual(cobsEncode(bytes(0x11, 0x00, 0x00, 0x00)), bytes(0x02, 0x11, 0x01, 0x01, 0x01));
});

test('COBS splits runs of 254 and more non-zero bytes into 0xFF blocks', () => {
  const r254 = cobsEncode(run(254));
  assert.equal(r254[0], 0xff);
  assert.equal(r254.length, 256);
  const r255 = cobsEncode(run(255));
  assert.deepEqual([r255[0], r255[255], r255[256]], [0xff, 0x02, 0x11]);
  const withZero = cobsEncode(Uint8Array.of(...run(254), 0, 0x22));
  assert.deepEqual([withZero[0], withZero[255], withZero[256], withZero[257]], [0xff, 0x01, 0x02, 0x22]);
});

test('COBS round-trips every length and pattern without producing a zero', () => {
  const patterns = [
    ...[0, 1, 253, 254, 255, 256, 508, 509, 1000].map((n) => run(n)),
    run(600, 0),
    Uint8Array.from({ length: 2000 }, (_, i) => (i % 300 === 0 ? 0 : (i * 7) & 0xff)),
    Uint8Array.from({ length: 70000 }, (_, i) => (i * 2654435761) >>> 24),
  ];
  for (const data of patterns) {
    const encoded = cobsEncode(data);
    assert.equal(encoded.includes(0), false);
    assert.ok(encoded.length <= cobsMaxEncodedLength(data.length));
    assert.deepEqual(cobsDecode(encoded), data);
  }
});

test('COBS decoding rejects input no encoder produces', () => {
  assert.equal(cobsDecode(bytes(0x05, 0x11)), undefined, 'block runs past the end');
  assert.equal(cobsDecode(bytes(0x03, 0x00, 0x11)), undefined, 'zero inside');
  assert.equal(cobsDecode(bytes(0x00)), undefined, 'zero code');
});
