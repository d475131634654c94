import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePng } from '../../src/data/png.ts';
import { encodePng } from '../../src/data/png-encode.ts';

test('encoded RGB round-trips through the PNG decoder', () => {
  for (const [height, width] of [[1, 1], [7, 5], [32, 48]]) {
    const rgb = Uint8Array.from({ length: height * width * 3 }, (_, i) => (i * 37 + (i >> 5)) % 256);
    const image = decodePng(encodePng(rgb, height, width), 'round-trip.png');
    assert.deepEqual([image.height, image.width], [height, width]);
    assert.deepEqual(image.pixels, rgb);
  }
});

test('the file is a PNG with IHDR, IDAT and IEND chunks', () => {
  const bytes = encodePng(new Uint8Array(2 * 3 * 3), 2, 3);
  assert.deepEqual([...bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
  assert.equal(bytes.toString('latin1', 12, 16), 'IHDR');
  assert.deepEqual([bytes.readUInt32BE(16), bytes.readUInt32BE(20), ...bytes.subarray(24, 29)], [3, 2, 8, 2, 0, 0, 0]);
  assert.equal(bytes.toString('latin1', bytes.length - 8, bytes.length - 4), 'IEND');
});

test('a size that does not match the bytes is refused', () => {
  assert.throws(() => encodePng(new Uint8Array(10), 2, 2), /PNG of 2x2 RGB needs 12 bytes, got 10/);
  assert.throws(() => encodePng(new Uint8Array(0), 0, 4), /PNG size 0x4 is not a positive whole number of pixels/);
});
