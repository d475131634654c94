import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelStats, classCounts } from '../../src/data/dataset.ts';
import type { Dataset } from '../../src/data/dataset.ts';
import { DatasetError } from '../../src/data/errors.ts';
import { synthetic, SYNTHETIC_MEAN, SYNTHETIC_STD } from '../../src/data/synthetic.ts';

test('same seed gives the same bytes, another seed other bytes', () => {
  const a = synthetic(20, 7);
  const b = synthetic(20, 7);
  const c = synthetic(20, 8);
  assert.deepEqual(a.images, b.images);
  assert.deepEqual(a.labels, b.labels);
  assert.notDeepEqual(a.images, c.images);
});

test('shape follows size, resolution and classes', () => {
  const data = synthetic(12, 1, { classes: 4, resolution: 20 });
  assert.deepEqual([data.size, data.height, data.width, data.channels, data.classes], [12, 20, 20, 3, 4]);
  assert.equal(data.images.length, 12 * 20 * 20 * 3);
  assert.equal(data.classNames.length, 4);
  assert.ok(data.labels.every((label) => label < 4));
});

test('classes are balanced to within one image', () => {
  const counts = classCounts(synthetic(103, 3, { resolution: 8 }));
  assert.equal(counts.reduce((a, b) => a + b), 103);
  assert.ok(counts.every((count) => count === 10 || count === 11), counts.join(','));
});

test('pixel statistics are near the documented normalisation constants', () => {
  const { mean, std } = channelStats(synthetic(300, 5));
  for (let c = 0; c < 3; c++) {
    assert.ok(Math.abs(mean[c] - SYNTHETIC_MEAN[c]) < 0.04, `mean ${mean[c]}`);
    assert.ok(Math.abs(std[c] - SYNTHETIC_STD[c]) < 0.05, `std ${std[c]}`);
  }
});

test('bad options are refused', () => {
  assert.throws(() => synthetic(0, 1), DatasetError);
  assert.throws(() => synthetic(10, 1, { classes: 1 }), /classes: 1 is not an integer in \[2, 256\]/);
  assert.throws(() => synthetic(10, 1, { resolution: 2.5 }), /resolution/);
});

/**
 * Mean colour and the stripe orientation from the grey image's structure tensor, as doubled-angle
 * (cos 2t, sin 2t) weighted by coherence. Cheap features that only see a fraction of the class signature.
 */
function features(data: Dataset, index: number): number[] {
  const side = data.width;
  const base = index * side * side * 3;
  const grey = (y: number, x: number): number => {
    const at = base + (y * side + x) * 3;
    return data.images[at] + data.images[at + 1] + data.images[at + 2];
  };
  const colour = [0, 0, 0];
  for (let p = 0; p < side * side; p++) for (let c = 0; c < 3; c++) colour[c] += data.images[base + 3 * p + c] / (255 * side * side);
  let [xx, yy, xy] = [0, 0, 0];
  for (let y = 1; y < side - 1; y++) {
    for (let x = 1; x < side - 1; x++) {
      const gx = grey(y, x + 1) - grey(y, x - 1);
      const gy = grey(y + 1, x) - grey(y - 1, x);
      xx += gx * gx;
      yy += gy * gy;
      xy += gx * gy;
    }
  }
  const energy = xx + yy + 1e-9;
  return [...colour, (xx - yy) / energy, (2 * xy) / energy];
}

test('a nearest-class-mean classifier on simple features beats chance clearly', () => {
  const train = synthetic(600, 11);
  const held = synthetic(300, 12);
  const sums = Array.from({ length: train.classes }, () => [0, 0, 0, 0, 0]);
  const counts = classCounts(train);
  for (let i = 0; i < train.size; i++) features(train, i).forEach((v, k) => (sums[train.labels[i]][k] += v / counts[train.labels[i]]));
  let correct = 0;
  for (let i = 0; i < held.size; i++) {
    const f = features(held, i);
    const distances = sums.map((centre) => centre.reduce((d, v, k) => d + (v - f[k]) ** 2, 0));
    if (distances.indexOf(Math.min(...distances)) === held.labels[i]) correct++;
  }
  const accuracy = correct / held.size;
  assert.ok(accuracy > 0.35, `accuracy ${accuracy} (chance 0.1)`);
});
