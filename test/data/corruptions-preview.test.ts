import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToFloats, CORRUPTIONS, floatsToBytes } from '../../src/data/corruptions/index.ts';
import { corruptionGrid, writePng } from '../../src/data/corruptions/preview.ts';
import { decodePng } from '../../src/data/png.ts';
import { synthetic } from '../../src/data/synthetic.ts';
import { Prng } from '../../src/util/prng.ts';
import { tempDir } from './temp-dir.ts';

test('the preview grid holds the clean image and five severities per corruption, and writes a readable PNG', () => {
  const side = 16;
  const clean = synthetic(1, 2, { resolution: side }).images;
  const grid = corruptionGrid(bytesToFloats(clean), side, side, new Prng(1), { scale: 2 });
  // 6 tiles of 32 px, gutters of 2 px, doubled after the clean column; 15 rows.
  assert.deepEqual([grid.width, grid.height], [2 + 32 + 4 + 5 * (32 + 2), 2 + CORRUPTIONS.length * (32 + 2)]);
  const pixel = (y: number, x: number): number[] => Array.from(grid.rgb.subarray((y * grid.width + x) * 3, (y * grid.width + x) * 3 + 3));
  assert.deepEqual(pixel(0, 0), [128, 128, 128]);
  for (const row of [0, 14]) {
    const top = 2 + row * 34;
    // Each clean pixel becomes a 2x2 block.
    assert.deepEqual(pixel(top + 2 * 3 + 1, 2 + 2 * 5), Array.from(floatsToBytes(bytesToFloats(clean.subarray((3 * side + 5) * 3, (3 * side + 5) * 3 + 3)))));
  }
  assert.deepEqual(grid, corruptionGrid(bytesToFloats(clean), side, side, new Prng(1), { scale: 2 }));
  const file = join(tempDir(), 'preview.png');
  writePng(file, grid.rgb, grid.height, grid.width);
  const decoded = decodePng(readFileSync(file), file);
  assert.deepEqual([decoded.width, decoded.height], [grid.width, grid.height]);
  assert.deepEqual(decoded.pixels, grid.rgb);
  assert.throws(() => corruptionGrid(bytesToFloats(clean), side, side, new Prng(1), { scale: 1.5 }), /preview scale 1\.5/);
});
