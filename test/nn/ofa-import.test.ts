import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { convertOfaStateDict, importOfaCheckpoint, ofaStateDict } from '../../src/nn/ofa-import/import-ofa.ts';
import type { StateTensor } from '../../src/nn/ofa-import/import-ofa.ts';
import { loadTorchCheckpoint } from '../../src/nn/ofa-import/torch-load.ts';
import { supernetLayout } from '../../src/nn/supernet/layout.ts';
import { subnetTensors } from '../../src/nn/supernet/subnet-tensors.ts';
import { loadSpace } from '../../src/space/load-space.ts';
import { realise } from '../../src/space/realise.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'ofa');
const CHECKPOINT = join(FIXTURES, 'tiny_ofa.pth');
const space = loadSpace('mobilenetv3', {}, JSON.parse(readFileSync(join(FIXTURES, 'tiny_ofa_space.json'), 'utf8')));
/** Written by bench/make_ofa_fixture.py straight from the PyTorch tensors: shape and row-major values. */
const expected = JSON.parse(readFileSync(join(FIXTURES, 'tiny_ofa_expected.json'), 'utf8')) as Record<string, { shape: number[]; values: number[] }>;
const CLASSES = 10;
const stateDict = ofaStateDict(loadTorchCheckpoint(CHECKPOINT));
const imported = importOfaCheckpoint(CHECKPOINT, space, CLASSES);

function ours(name: string): { shape: number[]; values: Float32Array } {
  const v = imported.supernet.tensor(name);
  assert.ok(v, `supernet has ${name}`);
  return { shape: v.shape, values: v.dataSync() as Float32Array };
}

/** Checks our [k, k, I, O] tensor against PyTorch's [O, I, k, k] element by element. */
function assertOihw(ourName: string, torchKey: string, depthwise = false): void {
  const { shape: [o, i, kh, kw], values } = expected[torchKey];
  const got = ours(ourName);
  assert.deepEqual(got.shape, depthwise ? [kh, kw, o, 1] : [kh, kw, i, o]);
  for (let a = 0; a < o; a++) {
    for (let b = 0; b < i; b++) {
      for (let h = 0; h < kh; h++) {
        for (let w = 0; w < kw; w++) {
          const torchValue = values[((a * i + b) * kh + h) * kw + w];
          const ourValue = depthwise ? got.values[(h * kw + w) * o + a] : got.values[((h * kw + w) * i + b) * o + a];
          assert.equal(ourValue, Math.fround(torchValue), `${ourName}[${h}, ${w}, ${b}, ${a}]`);
        }
      }
    }
  }
}

test('the tiny OFA checkpoint imports whole: counters ignored, nothing left over', () => {
  const layout = supernetLayout(space, CLASSES);
  assert.equal(imported.supernet.tensors.length, layout.slots.length);
  assert.deepEqual(imported.unused, []);
  assert.equal(imported.ignored.length, 10);
  assert.ok(imported.ignored.every((k) => k.endsWith('.bn.num_batches_tracked') || k.endsWith('.bn.bn.num_batches_tracked')));
});

test('conv, depthwise and SE kernels are PyTorch OIHW transposed to [k, k, I, O], element by element', () => {
  assertOihw('first_conv.weight', 'first_conv.conv.weight');
  assertOihw('blocks.0.conv.depth_conv.weight', 'blocks.0.conv.depth_conv.conv.weight', true);
  assertOihw('blocks.2.conv.inverted_bottleneck.weight', 'blocks.2.conv.inverted_bottleneck.conv.conv.weight');
  assertOihw('blocks.2.conv.depth_conv.se.fc.expand.weight', 'blocks.2.conv.depth_conv.se.fc.expand.weight');
});

test('batch norm statistics and kernel transforms are copied; the classifier keeps its first classes, transposed', () => {
  assert.deepEqual(Array.from(ours('blocks.1.conv.point_linear.bn.running_var').values), expected['blocks.1.conv.point_linear.bn.bn.running_var'].values.map(Math.fround));
  assert.deepEqual(Array.from(ours('blocks.2.conv.depth_conv.5to3_matrix').values), expected['blocks.2.conv.depth_conv.conv.5to3_matrix'].values.map(Math.fround));
  const { shape: [rows, cin], values } = expected['classifier.linear.weight'];
  assert.equal(rows, 12);
  const classifier = ours('classifier.weight');
  assert.deepEqual(classifier.shape, [cin, CLASSES]);
  for (let r = 0; r < CLASSES; r++) for (let c = 0; c < cin; c++) assert.equal(classifier.values[c * CLASSES + r], Math.fround(values[r * cin + c]));
  assert.deepEqual(Array.from(ours('classifier.bias').values), expected['classifier.linear.bias'].values.slice(0, CLASSES).map(Math.fround));
});

test("a subnet's 3x3 depthwise filter equals OFA's, derived through the imported 7to5 and 5to3 transforms", () => {
  const graph = realise(space, { ks: [3, 7], e: [2, 2], d: [1, 1] }, { resolution: 32, classes: CLASSES });
  const { shape: [channels, , k], values } = expected['blocks.1 depthwise filter at k3'];
  tf.tidy(() => {
    const dw = subnetTensors(imported.supernet, graph).layers.get('blocks.1.conv.depth_conv');
    assert.ok(dw?.kind === 'conv');
    assert.deepEqual(dw.kernel.shape, [k, k, channels, 1]);
    const got = dw.kernel.dataSync();
    for (let c = 0; c < channels; c++) {
      for (let p = 0; p < k * k; p++) assert.ok(Math.abs(got[p * channels + c] - values[c * k * k + p]) < 1e-5 * Math.max(1, Math.abs(values[c * k * k + p])), `channel ${c} tap ${p}`);
    }
  });
});

test("OFA's older key names (mobile_inverted_conv, static-style dynamic ops) import to the same values", () => {
  const renamed = new Map<string, StateTensor>();
  for (const [key, tensor] of stateDict) {
    const old = key
      .replace(/^(blocks\.[1-9]\d*)\.conv\./, '$1.mobile_inverted_conv.')
      .replace('.bn.bn.', '.bn.')
      .replace('.conv.conv.weight', '.conv.weight');
    renamed.set(old, tensor);
  }
  assert.ok(renamed.has('blocks.1.mobile_inverted_conv.depth_conv.conv.weight'));
  const before = convertOfaStateDict(stateDict, space, CLASSES);
  const after = convertOfaStateDict(renamed, space, CLASSES);
  assert.deepEqual(after.values, before.values);
  assert.deepEqual(after.unused, []);
});

test('a missing tensor is refused naming our tensor and the keys looked for; extra keys are only listed', () => {
  const missing = new Map<string, StateTensor>(stateDict);
  missing.delete('blocks.2.conv.depth_conv.se.fc.reduce.bias');
  assert.throws(
    () => convertOfaStateDict(missing, space, CLASSES),
    /1 problem\):\n {2}missing blocks\.2\.conv\.depth_conv\.se\.fc\.reduce\.bias: the checkpoint has none of blocks\.2\.conv\.depth_conv\.se\.fc\.reduce\.bias, blocks\.2\.mobile_inverted_conv\./,
  );
  const extra = new Map<string, StateTensor>(stateDict);
  extra.set('blocks.9.conv.point_linear.conv.conv.weight', { shape: [1], toFloat32: () => new Float32Array(1) });
  assert.deepEqual(convertOfaStateDict(extra, space, CLASSES).unused, ['blocks.9.conv.point_linear.conv.conv.weight']);
});

test('a tensor of the wrong shape is refused naming the key and both shapes', () => {
  const wrong = new Map<string, StateTensor>(stateDict);
  wrong.set('blocks.1.conv.depth_conv.conv.conv.weight', { shape: [16, 1, 5, 5], toFloat32: () => new Float32Array(16 * 25) });
  assert.throws(
    () => convertOfaStateDict(wrong, space, CLASSES),
    /blocks\.1\.conv\.depth_conv\.conv\.conv\.weight has shape \[16, 1, 5, 5\] but blocks\.1\.conv\.depth_conv\.weight needs \[16, 1, 7, 7\] in PyTorch layout \(\[7, 7, 16, 1\] here\)/,
  );
  assert.throws(() => convertOfaStateDict(stateDict, space, 13), /classifier\.linear\.weight has shape \[12, 8\] but classifier\.weight needs \[13, 8\] \(or more rows\)/);
});

test('a checkpoint of another space is refused with every problem counted', () => {
  assert.throws(() => convertOfaStateDict(stateDict, loadSpace('mobilenetv3', { widthMult: 0.35 }), CLASSES), /does not fit this supernet \(\d+ problems\):[\s\S]*\.\.\. and \d+ more/);
});
