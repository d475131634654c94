import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32 } from '../../firmware-bridge/crc32.ts';

test('CRC-32 matches the zlib check value and continues across pieces', () => {
  const check = new TextEncoder().encode('123456789');
  assert.equal(crc32(check), 0xcbf43926);
  assert.equal(crc32(check.subarray(4), crc32(check.subarray(0, 4))), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});
