import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resizeBilinear } from '../../src/data/bilinear.ts';
import { assertClose } from './fixtures.ts';

// Expected values are what torch.nn.functional.interpolate(x, size, mode='bilinear', align_corners=False) returns.

test('2x2 -> 4x4 upsampling matches PyTorch', () => {
  const out = resizeBilinear([1, 2, 3, 4], 2, 2, 1, 4, 4);
  assertClose(out, [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4]);
});

test('4x4 -> 2x2 downsampling averages 2x2 blocks (no antialiasing needed at exactly 2x)', () => {
  const out = resizeBilinear(Array.from({ length: 16 }, (_, i) => i), 4, 4, 1, 2, 2);
  assertClose(out, [2.5, 4.5, 10.5, 12.5]);
});

test('non-integer scales: 1x3 -> 1x2 and 1x2 -> 1x3', () => {
  assertClose(resizeBilinear([0, 10, 20], 1, 3, 1, 1, 2), [2.5, 17.5]);
  assertClose(resizeBilinear([0, 10], 1, 2, 1, 1, 3), [0, 5, 10]);
});

test('channels stay interleaved and independent', () => {
  const image = [1, 10, 100, 2, 20, 200, 3, 30, 300, 4, 40, 400];
  const out = resizeBilinear(image, 2, 2, 3, 4, 4);
  const single = resizeBilinear([1, 2, 3, 4], 2, 2, 1, 4, 4);
  for (let c = 0; c < 3; c++) {
    assertClose(Array.from({ length: 16 }, (_, p) => out[3 * p + c]), Array.from(single, (v) => v * 10 ** c), 1e-3);
  }
});

test('same size is the identity', () => {
  const image = Array.from({ length: 5 * 3 * 3 }, (_, i) => (i * 37) % 256);
  assert.deepEqual([...resizeBilinear(image, 5, 3, 3, 5, 3)], image);
});
