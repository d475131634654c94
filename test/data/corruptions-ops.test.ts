import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diskKernel } from '../../src/data/corruptions/defocus-blur.ts';
import { frostTexture } from '../../src/data/corruptions/frost-texture.ts';
import { bytesToFloats, corrupt, SEVERITIES } from '../../src/data/corruptions/index.ts';
import { scaledTable } from '../../src/data/corruptions/jpeg-compression.ts';
import { motionBlur } from '../../src/data/corruptions/motion.ts';
import { plasmaFractal } from '../../src/data/corruptions/plasma.ts';
import { logGamma, poisson } from '../../src/data/corruptions/poisson.ts';
import { clippedZoom } from '../../src/data/corruptions/zoom.ts';
import { synthetic } from '../../src/data/synthetic.ts';
import { Prng } from '../../src/util/prng.ts';

const SIDE = 32;

function filled(value: number, side = SIDE): Float32Array {
  return new Float32Array(side * side * 3).fill(value);
}

function sample(side = SIDE, seed = 4): Float32Array {
  return bytesToFloats(synthetic(1, seed, { resolution: side }).images);
}

function stats(values: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    squares += values[i] * values[i];
  }
  const mean = sum / values.length;
  return { mean, std: Math.sqrt(squares / values.length - mean * mean) };
}

test('blurs and geometric corruptions keep a constant image constant (kernels sum to 1, borders repeat the image)', () => {
  for (const name of ['defocus_blur', 'glass_blur', 'motion_blur', 'zoom_blur', 'elastic_transform', 'pixelate']) {
    for (const severity of SEVERITIES) {
      const out = corrupt(name, filled(0.37), SIDE, SIDE, severity, new Prng(severity));
      assert.ok(out.every((v) => Math.abs(v - 0.37) < 1e-5), `${name} severity ${severity}`);
    }
  }
  assert.ok(corrupt('jpeg_compression', filled(0.5), SIDE, SIDE, 5, new Prng(1)).every((v) => Math.abs(v - 128 / 255) < 1e-6));
});

test('gaussian noise has the severity\'s standard deviation', () => {
  [0.04, 0.06, 0.08, 0.09, 0.1].forEach((sigma, i) => {
    const out = corrupt('gaussian_noise', filled(0.5, 64), 64, 64, i + 1, new Prng(i));
    const { mean, std } = stats(out);
    assert.ok(Math.abs(mean - 0.5) < 0.003 && Math.abs(std / sigma - 1) < 0.05, `severity ${i + 1}: mean ${mean}, std ${std}`);
  });
});

test('shot noise keeps the mean and has Poisson variance x / photons', () => {
  [500, 250, 100, 75, 50].forEach((photons, i) => {
    const out = corrupt('shot_noise', filled(0.4, 64), 64, 64, i + 1, new Prng(i));
    const { mean, std } = stats(out);
    assert.ok(Math.abs(mean - 0.4) < 0.004 && Math.abs(std / Math.sqrt(0.4 / photons) - 1) < 0.06, `severity ${i + 1}: mean ${mean}, std ${std}`);
  });
});

test('impulse noise sets the severity\'s fraction of values to 0 or 1, half each', () => {
  [0.01, 0.02, 0.03, 0.05, 0.07].forEach((amount, i) => {
    const out = corrupt('impulse_noise', filled(0.5, 64), 64, 64, i + 1, new Prng(i));
    const salt = out.filter((v) => v === 1).length / out.length;
    const pepper = out.filter((v) => v === 0).length / out.length;
    assert.ok(Math.abs(salt + pepper - amount) < 0.15 * amount + 0.002 && Math.abs(salt - pepper) < 0.3 * amount + 0.002, `severity ${i + 1}: ${salt} ${pepper}`);
  });
});

test('the Poisson sampler has mean and variance lambda on both algorithms', () => {
  for (const lambda of [0.5, 3, 9.5, 10, 37, 500]) {
    const rng = new Prng(Math.round(lambda * 10));
    const draws = Array.from({ length: 20000 }, () => poisson(lambda, rng));
    const { mean, std } = stats(draws);
    assert.ok(draws.every((k) => Number.isInteger(k) && k >= 0));
    assert.ok(Math.abs(mean / lambda - 1) < 0.03 && Math.abs((std * std) / lambda - 1) < 0.06, `lambda ${lambda}: mean ${mean}, variance ${std * std}`);
  }
  assert.equal(poisson(0, new Prng(1)), 0);
  let logFactorial = 0;
  for (let n = 1; n < 30; n++) {
    logFactorial += Math.log(n);
    assert.ok(Math.abs(logGamma(n + 1) - logFactorial) < 1e-10 * Math.max(1, logFactorial), `log ${n}!`);
  }
});

test('defocus kernels: normalised, a 3x3 Gaussian while the disk is one pixel, a 3x3 box at radius 1.5', () => {
  const sides = [[0.3, 0.4], [0.4, 0.5], [0.5, 0.6], [1, 0.2], [1.5, 0.1]].map(([radius, alias]) => {
    const kernel = diskKernel(radius, alias, 1);
    assert.ok(Math.abs(kernel.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    return Math.sqrt(kernel.length);
  });
  assert.deepEqual(sides, [3, 3, 3, 5, 5]);
  const box = diskKernel(1.5, 0.1, 1);
  // sigma 0.1 leaves the box almost untouched: 9 taps of about 1/9.
  assert.ok(Math.abs(box[2 * 5 + 2] - 1 / 9) < 1e-6 && Math.abs(box[1 * 5 + 1] - 1 / 9) < 1e-6 && box[0] < 1e-12);
});

test('glass blur at severity 1 (no blur at sigma 0.05) only moves pixels around', () => {
  const image = sample();
  const out = corrupt('glass_blur', image, SIDE, SIDE, 1, new Prng(3));
  const pixels = (x: Float32Array): string[] => Array.from({ length: x.length / 3 }, (_, p) => Array.from(x.subarray(3 * p, 3 * p + 3)).join()).sort();
  assert.deepEqual(pixels(out), pixels(image));
  assert.notDeepEqual(out, image);
});

test('motion blur is ImageMagick\'s one-sided Gaussian trail', () => {
  const dot = new Float32Array(16 * 16);
  dot[8 * 16 + 10] = 1;
  // Angle 0: each pixel averages the pixels to its right, so the dot trails to its left with weights exp(-i^2/2).
  const out = motionBlur(dot, 16, 16, 1, 3, 1, 0);
  const weights = [0, 1, 2, 3, 4, 5, 6].map((i) => Math.exp(-(i * i) / 2));
  const total = weights.reduce((a, b) => a + b);
  for (let i = 0; i <= 6; i++) assert.ok(Math.abs(out[8 * 16 + 10 - i] - weights[i] / total) < 1e-6, `tap ${i}`);
  assert.ok(Math.abs(out.reduce((a, b) => a + b) - 1) < 1e-6);
  // Angle 90: the trail runs up the image (pixels read the ones below them).
  const down = motionBlur(dot, 16, 16, 1, 3, 1, 90);
  assert.ok(Math.abs(down[5 * 16 + 10] - weights[3] / total) < 1e-6 && down[8 * 16 + 9] === 0);
});

test('clipped zoom: factor 1 is the identity, factor 2 magnifies the centre', () => {
  const image = sample();
  assert.deepEqual(clippedZoom(image, SIDE, SIDE, 3, 1, SIDE, SIDE), image);
  const ramp = Float32Array.from({ length: 8 * 8 }, (_, i) => i % 8);
  const zoomed = clippedZoom(ramp, 8, 8, 1, 2, 8, 8);
  // The centre 4 columns (2..5) spread over 8 with linear steps of 3/7.
  assert.ok(Array.from(zoomed.subarray(0, 8)).every((v, x) => Math.abs(v - (2 + (x * 3) / 7)) < 1e-6));
});

test('brightness raises the HSV value by the shift and keeps hue and saturation', () => {
  const image = sample();
  [0.05, 0.1, 0.15, 0.2, 0.3].forEach((shift, i) => {
    const out = corrupt('brightness', image, SIDE, SIDE, i + 1, new Prng(1));
    for (let p = 0; p < image.length; p += 3) {
      const value = Math.max(image[p], image[p + 1], image[p + 2]);
      assert.ok(Math.abs(Math.max(out[p], out[p + 1], out[p + 2]) - Math.min(1, value + shift)) < 1e-6);
      // Equal channel ratios: the same hue and saturation.
      if (value > 0) for (let c = 0; c < 3; c++) assert.ok(Math.abs(out[p + c] * value - image[p + c] * Math.min(1, value + shift)) < 1e-6);
    }
  });
  assert.ok(corrupt('brightness', filled(0), SIDE, SIDE, 5, new Prng(1)).every((v) => Math.abs(v - 0.3) < 1e-7));
});

test('contrast scales deviations from each channel\'s mean', () => {
  const image = sample();
  const channelMean = (x: Float32Array, c: number): number => x.filter((_, i) => i % 3 === c).reduce((a, b) => a + b) / (x.length / 3);
  const out = corrupt('contrast', image, SIDE, SIDE, 2, new Prng(1));
  for (let c = 0; c < 3; c++) {
    const mean = channelMean(image, c);
    assert.ok(Math.abs(channelMean(out, c) - mean) < 1e-5);
    for (let i = c; i < image.length; i += 3) assert.ok(Math.abs(out[i] - (mean + 0.5 * (image[i] - mean))) < 1e-5);
  }
});

test('pixelate keeps int(side * fraction) distinct columns', () => {
  const columns = Float32Array.from({ length: SIDE * SIDE * 3 }, (_, i) => Math.floor(i / 3) % SIDE / SIDE);
  [30, 28, 27, 24, 20].forEach((expected, i) => {
    const out = corrupt('pixelate', columns, SIDE, SIDE, i + 1, new Prng(1));
    assert.equal(new Set(Array.from({ length: SIDE }, (_, x) => out[3 * x].toFixed(6))).size, expected, `severity ${i + 1}`);
  });
});

test('jpeg: libjpeg quality scaling, and a smooth image survives almost unchanged', () => {
  assert.deepEqual(Array.from(scaledTable([16, 11, 99], 50)), [16, 11, 99]);
  assert.deepEqual(Array.from(scaledTable([16, 11, 99], 80)), [6, 4, 40]);
  assert.deepEqual(Array.from(scaledTable([16, 11, 99], 40)), [20, 14, 124]);
  assert.deepEqual(Array.from(scaledTable([16, 11, 99], 100)), [1, 1, 1]);
  assert.deepEqual(Array.from(scaledTable([16, 11, 99], 5)), [160, 110, 255]);
  const smooth = Float32Array.from({ length: SIDE * SIDE * 3 }, (_, i) => {
    const [p, c] = [Math.floor(i / 3), i % 3];
    return 0.2 + 0.5 * ((p % SIDE) / SIDE) * (c === 0 ? 1 : 0.5) + 0.2 * (Math.floor(p / SIDE) / SIDE);
  });
  const out = corrupt('jpeg_compression', smooth, SIDE, SIDE, 1, new Prng(1));
  const error = out.reduce((sum, v, i) => sum + Math.abs(v - smooth[i]), 0) / out.length;
  assert.ok(error < 0.006, `mean error ${error}`);
});

test('fog: the plasma spans [0, 1]; a black image stays black', () => {
  const plasma = plasmaFractal(32, 2, new Prng(1));
  assert.equal(Math.min(...plasma), 0);
  assert.equal(Math.max(...plasma), 1);
  assert.ok(corrupt('fog', filled(0), SIDE, SIDE, 5, new Prng(1)).every((v) => v === 0));
});

test('snow never darkens the image', () => {
  const image = sample();
  for (const severity of SEVERITIES) {
    const out = corrupt('snow', image, SIDE, SIDE, severity, new Prng(severity));
    assert.ok(out.every((v, i) => v >= image[i] - 1e-6), `severity ${severity}`);
  }
});

test('the frost texture is bluish white with a mean near 0.45, and the same pattern at any resolution', () => {
  const small = frostTexture(32, 32, 1, new Prng(9));
  const large = frostTexture(64, 64, 2, new Prng(9));
  assert.ok(large.every((v) => v >= 0 && v <= 1));
  const channel = (c: number): number => stats(large.filter((_, i) => i % 3 === c)).mean;
  assert.ok(channel(0) < channel(1) && channel(1) < channel(2));
  assert.ok(Math.abs(stats(large).mean - 0.45) < 0.1, String(stats(large).mean));
  // All sizes are in CIFAR pixels times the scale, so every other pixel of the 64 px texture is the 32 px one.
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) {
      for (let c = 0; c < 3; c++) assert.ok(Math.abs(large[(2 * y * 64 + 2 * x) * 3 + c] - small[(y * 32 + x) * 3 + c]) < 1e-5);
    }
  }
});
