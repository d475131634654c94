import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeDivisible, pythonRound } from '../../src/space/make-divisible.ts';
import { loadSpace } from '../../src/space/load-space.ts';
import { ConfigError } from '../../src/space/errors.ts';

test('makeDivisible follows OFA: nearest multiple of 8, at least 8, never below 90 %', () => {
  assert.equal(makeDivisible(16), 16);
  assert.equal(makeDivisible(5.6), 8);
  assert.equal(makeDivisible(19.2), 24); // 16 would be < 0.9 * 19.2
  assert.equal(makeDivisible(14), 16);
  assert.equal(makeDivisible(12), 16);
  assert.equal(makeDivisible(11.9), 8 + 8); // 8 < 0.9 * 11.9
  assert.equal(makeDivisible(100), 104);
});

test('pythonRound rounds half to even like Python 3', () => {
  assert.deepEqual([0.5, 1.5, 2.5, 2.6, 3.4].map(pythonRound), [0, 2, 2, 3, 3]);
});

test('default space reproduces OFA MobileNetV3 w1.0 widths', () => {
  const s = loadSpace('mobilenetv3');
  assert.equal(s.firstConvWidth, 16);
  assert.equal(s.firstBlockWidth, 16);
  assert.deepEqual(s.stageWidths, [24, 40, 80, 112, 160]);
  assert.equal(s.finalExpandWidth, 960);
  assert.equal(s.featureMixWidth, 1280);
  assert.deepEqual(s.resolutions, [224]);
  assert.equal(s.fixedResolution, true);
});

test('width multipliers 1.2, 0.5 and 0.35 are expressible', () => {
  assert.deepEqual(loadSpace('mobilenetv3', { widthMult: 1.2 }).stageWidths, [32, 48, 96, 136, 192]);
  const half = loadSpace('mobilenetv3', { widthMult: 0.5 });
  assert.deepEqual([half.firstConvWidth, ...half.stageWidths, half.finalExpandWidth, half.featureMixWidth], [8, 16, 24, 40, 56, 80, 480, 640]);
  const mcu = loadSpace('mobilenetv3', { widthMult: 0.35 });
  assert.deepEqual([mcu.firstConvWidth, mcu.firstBlockWidth, ...mcu.stageWidths, mcu.finalExpandWidth, mcu.featureMixWidth], [8, 8, 8, 16, 32, 40, 56, 336, 448]);
});

test('resolution lists match CNAS range(lr, ur + 1, rstep)', () => {
  assert.equal(loadSpace('mobilenetv3', { lr: 192, ur: 256, rstep: 4 }).resolutions.length, 17);
  assert.equal(loadSpace('mobilenetv3', { lr: 40, ur: 104, rstep: 4 }).resolutions.length, 17);
  assert.equal(loadSpace('mobilenetv3', { lr: 128, ur: 224, rstep: 4 }).resolutions.length, 25);
  assert.deepEqual(loadSpace('mobilenetv3', { lr: 40, ur: 50, rstep: 4 }).resolutions, [40, 44, 48]);
});

test('a space file replaces parameters of a named space', () => {
  const s = loadSpace('mobilenetv3', {}, { space: 'cbnmobilenetv3', width_mult: 0.35, kernels: [3, 5], depths: [1, 2], lr: 96, ur: 128, rstep: 8 });
  assert.equal(s.name, 'cbnmobilenetv3');
  assert.equal(s.exitKind, 'flag');
  assert.deepEqual(s.kernels, [3, 5]);
  assert.equal(s.maxDepth, 2);
  assert.deepEqual(s.resolutions, [96, 104, 112, 120, 128]);
});

test('bad space definitions name the field', () => {
  const cases: [unknown, string, object?][] = [
    [{ kernels: [3, 4] }, 'kernels'],
    [{ width_mult: -1 }, 'width_mult'],
    [{ strides: [2, 2, 2] }, 'activations'],
    [{ base_widths: [16, 16] }, 'base_widths'],
    [{ colour: 'red' }, '(root)'],
    [{ space: 'resnet' }, 'space'],
    [{ lr: 200, ur: 100 }, 'ur'],
    [{ depths: [2, 2] }, 'depths'],
  ];
  for (const [file, field] of cases) {
    assert.throws(() => loadSpace('mobilenetv3', {}, file), (err: unknown) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.equal(err.field, field, err.message);
      return true;
    });
  }
  assert.throws(() => loadSpace('resnet50'), /field "space": value "resnet50" is not allowed; allowed values: mobilenetv3, eemobilenetv3, cbnmobilenetv3/);
});
