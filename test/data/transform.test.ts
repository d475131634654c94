import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../../src/util/prng.ts';
import { CROP_PADDING, randomResizedCropBox } from '../../src/data/augment.ts';
import { resizeBilinear } from '../../src/data/bilinear.ts';
import { ImageTransform } from '../../src/data/transform.ts';
import { assertClose, makeDataset, normalised } from './fixtures.ts';

const data = makeDataset(2, 6, 5, () => 0, (i, y, x, c) => 1 + i * 100 + y * 10 + x * 2 + c);

function run(transform: ImageTransform, index: number, prng: Prng): Float32Array {
  const out = new Float32Array(transform.outputLength);
  transform.apply(data.images, index, out, 0, prng);
  return out;
}

/** The image shifted by (dy, dx) with black coming in, mirrored first when flip: the reference crop+flip. */
function shifted(index: number, dy: number, dx: number, flip: boolean): number[] {
  const out: number[] = [];
  for (let y = 0; y < data.height; y++) {
    for (let x = 0; x < data.width; x++) {
      const sy = y + dy;
      const sx = (flip ? data.width - 1 - x : x) + dx;
      const inside = sy >= 0 && sy < data.height && sx >= 0 && sx < data.width;
      for (let c = 0; c < 3; c++) out.push(normalised(data, inside ? data.images[((index * data.height + sy) * data.width + sx) * 3 + c] : 0, c));
    }
  }
  return out;
}

test('evaluation at native size only normalises', () => {
  const out = run(new ImageTransform(data, 6, 5, false), 1, new Prng(0));
  assertClose(out, shifted(1, 0, 0, false));
});

test('training at native size gives a padded random crop, sometimes mirrored, reproducibly', () => {
  const transform = new ImageTransform(data, 6, 5, true);
  const seen = new Set<string>();
  for (let seed = 0; seed < 60; seed++) {
    const out = run(transform, 1, new Prng(seed));
    assert.deepEqual(out, run(transform, 1, new Prng(seed)));
    let match: string | null = null;
    for (let dy = -CROP_PADDING; dy <= CROP_PADDING && match === null; dy++) {
      for (let dx = -CROP_PADDING; dx <= CROP_PADDING && match === null; dx++) {
        for (const flip of [false, true]) {
          const expected = shifted(1, dy, dx, flip);
          if (expected.every((v, k) => Math.abs(v - out[k]) < 1e-5)) match = `${dy},${dx},${flip}`;
        }
      }
    }
    assert.ok(match !== null, `seed ${seed}: output is no shifted/mirrored copy`);
    seen.add(match);
  }
  assert.ok(seen.size > 20, `only ${seen.size} distinct crops`);
  assert.ok([...seen].some((m) => m.endsWith('true')) && [...seen].some((m) => m.endsWith('false')));
});

test('evaluation at another size resizes the whole image bilinearly', () => {
  const out = run(new ImageTransform(data, 9, 8, false), 0, new Prng(0));
  const resized = resizeBilinear(data.images.subarray(0, 6 * 5 * 3), 6, 5, 3, 9, 8);
  assertClose(out, Array.from(resized, (v, k) => (v / 255 - data.mean[k % 3]) / data.std[k % 3]));
});

test('training at another size: random resized crops of the right shape, reproducible, varied', () => {
  const transform = new ImageTransform(data, 8, 8, true);
  const outputs = new Set<string>();
  for (let seed = 0; seed < 10; seed++) {
    const out = run(transform, 0, new Prng(seed));
    assert.equal(out.length, 8 * 8 * 3);
    assert.deepEqual(out, run(transform, 0, new Prng(seed)));
    outputs.add(out.join(','));
  }
  assert.ok(outputs.size > 5);
});

test('random resized crop boxes stay inside the image with allowed area and ratio', () => {
  const prng = new Prng(3);
  for (let i = 0; i < 500; i++) {
    const box = randomResizedCropBox(32, 32, prng);
    assert.ok(box.top >= 0 && box.left >= 0 && box.top + box.height <= 32 && box.left + box.width <= 32, JSON.stringify(box));
    const area = (box.height * box.width) / (32 * 32);
    // Rounding the sides to whole pixels moves area and ratio a little past the sampled ranges.
    assert.ok(area >= 0.05 && area <= 1, `area ${area}`);
    const ratio = box.width / box.height;
    assert.ok(ratio >= 0.6 && ratio <= 1.6, `ratio ${ratio}`);
  }
});

test('a box that cannot fit falls back to the central crop with the widest allowed ratio', () => {
  assert.deepEqual(randomResizedCropBox(2, 100, new Prng(1)), { top: 0, left: 48, height: 2, width: 3 });
});
