import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFloatModel } from '../../src/export/build-float.ts';
import { calibrate } from '../../src/export/calibrate.ts';
import { ModelCheckError } from '../../src/export/check-model.ts';
import { calibrationRanges, exportSpec, exportTflite } from '../../src/export/export-model.ts';
import type { ModelSpec, TensorSpec } from '../../src/export/model-spec.ts';
import { quantizeModel } from '../../src/export/quantize.ts';
import { readTflite } from '../../src/export/reader.ts';
import { runTflite, top1Agreement } from '../../src/export/verify.ts';
import { writeTflite } from '../../src/export/write-model.ts';
import { fittedNet, mixtureImages, normalImages, randomWeights, sampledGraph } from './fixtures.ts';

/**
 * Calibration and test images come from the same distribution, a 10-class Gaussian mixture (random normal
 * images with class structure, see `mixtureImages`): calibration needs the activation ranges the model will
 * meet, and any distribution works as long as calibration and use share it. Nets are trained-like with
 * fitted classifiers (see `fittedNet`), so top-1 is decided by margins of a realistic size.
 */
for (const [space, seed, resolution] of [
  ['mobilenetv3', 1, 64],
  ['eemobilenetv3', 2, 64],
] as const) {
  test(`int8 export of ${space} #${seed} at ${resolution} px agrees with the float export on top-1 for >= 98% of 128 images`, async (t) => {
    const net = await fittedNet(sampledGraph(space, seed, resolution), seed);
    const ranges = calibrationRanges(net.graph, net.weights, mixtureImages(64, resolution, 100).images);
    const float = exportTflite(net.graph, net.weights);
    const int8 = exportTflite(net.graph, net.weights, { int8: { ranges, io: 'float' } });
    const check = await top1Agreement(float, int8, mixtureImages(128, resolution, 200).images);
    t.diagnostic(`top-1 agreement ${check.perOutput.map((a) => (100 * a).toFixed(1) + '%').join(', ')} (per exit)`);
    assert.ok(check.agreement >= 0.98 && Math.min(...check.perOutput) >= 0.98, `agreement ${check.perOutput}`);

    // int8 I/O runs the same int8 graph: identical outputs once the input is quantised the same way
    const images = mixtureImages(4, resolution, 300).images;
    const viaFloatIo = await runTflite(int8, images);
    const viaInt8Io = await runTflite(exportTflite(net.graph, net.weights, { int8: { ranges, io: 'int8' } }), images);
    assert.deepEqual(viaInt8Io, viaFloatIo);
  });
}

const graph = sampledGraph('eemobilenetv3', 9, 32);
const float = buildFloatModel(graph, randomWeights(graph, 3));
const ranges = calibrate(float, normalImages(2, 32, 5));
const int8 = quantizeModel(float, ranges, { io: 'int8' });

test('quantisation layout: per-channel weights on the right axis, bias scale = input x weight scale, same-scale ops', () => {
  const g = readTflite(writeTflite(int8)).subgraphs[0];
  for (const op of g.operators) {
    const [input, filter, bias] = op.inputs.map((i) => g.tensors[i]);
    if (op.op === 'CONV_2D' || op.op === 'DEPTHWISE_CONV_2D' || op.op === 'FULLY_CONNECTED') {
      const dim = op.op === 'DEPTHWISE_CONV_2D' ? 3 : 0;
      assert.equal(filter.type, 'int8');
      assert.equal(filter.quant!.quantizedDimension, dim);
      assert.equal(filter.quant!.scale.length, filter.shape[dim], filter.name);
      assert.ok(filter.quant!.zeroPoint.every((z) => z === 0));
      assert.equal(bias.type, 'int32');
      bias.quant!.scale.forEach((s, c) => assert.ok(Math.abs(s - input.quant!.scale[0] * filter.quant!.scale[c]) <= 1e-6 * s, bias.name));
    }
    if (op.op === 'PAD' || op.op === 'RESHAPE' || op.op === 'MAX_POOL_2D') {
      assert.deepEqual(g.tensors[op.outputs[0]].quant!.scale, input.quant!.scale);
      assert.deepEqual(g.tensors[op.outputs[0]].quant!.zeroPoint, input.quant!.zeroPoint);
    }
  }
  const withSoftmax = exportSpec(graph, randomWeights(graph, 3), { softmax: true, int8: { ranges, io: 'int8' } });
  const probs = withSoftmax.outputs.map((o) => withSoftmax.tensors[o].quant!);
  assert.ok(probs.every((q) => q.scale[0] === 1 / 256 && q.zeroPoint[0] === -128));
});

test('percentile calibration clips the extremes that min/max keeps', () => {
  const minmax = calibrate(float, normalImages(4, 32, 6));
  const clipped = calibrate(float, normalImages(4, 32, 6), { method: 'percentile', percentile: 99 });
  let narrower = 0;
  for (const [name, r] of clipped) {
    const m = minmax.get(name)!;
    assert.ok(r.min >= m.min && r.max <= m.max, name);
    if (r.max < m.max) narrower++;
  }
  assert.ok(narrower > minmax.size / 2);
});

function broken(edit: (tensors: TensorSpec[], model: ModelSpec) => void): ModelSpec {
  const tensors = int8.tensors.map((t) => ({ ...t, quant: t.quant && { ...t.quant, scale: t.quant.scale.slice(), zeroPoint: t.quant.zeroPoint.slice() } }));
  const model = { ...int8, tensors };
  edit(tensors, model);
  return model;
}

function rejects(model: ModelSpec, tensor: string, rule: RegExp): void {
  assert.throws(
    () => writeTflite(model),
    (err: unknown) => {
      assert.ok(err instanceof ModelCheckError, String(err));
      assert.equal(err.tensor, tensor);
      assert.match(err.message, rule);
      return true;
    },
  );
}

test('the pre-write checker rejects hand-broken int8 models, naming the tensor and the rule', () => {
  const index = (name: string) => int8.tensors.findIndex((t) => t.name === name);
  const conv = int8.operators.find((op) => op.op === 'CONV_2D')!;
  const [, filter, bias] = conv.inputs.map((i) => int8.tensors[i].name);
  rejects(broken((ts) => (ts[index(bias)].quant!.scale[0] *= 1.5)), bias, /bias scale .* != input scale x weight scale/);
  rejects(broken((ts) => (ts[index(bias)].quant!.quantizedDimension = 3)), bias, /quantized_dimension 3 is outside the bias's rank 1/);
  rejects(broken((ts) => (ts[index(filter)].quant!.quantizedDimension = 3)), filter, /per-channel scales but dimension 3|along dimension 0/);
  rejects(broken((ts) => (ts[index(filter)].quant!.quantizedDimension = 4)), filter, /quantized_dimension 4 is outside the tensor's rank 4/);
  rejects(broken((ts) => ((ts[index(filter)].data = ts[index(filter)].data!.slice())[0] = 0x80)), filter, /\[-127, 127\]/);
  const act = int8.tensors[conv.outputs[0]].name;
  rejects(broken((ts) => (ts[index(act)].quant!.zeroPoint[0] = 200)), act, /zero point out of \[-128, 127\]/);
  rejects(broken((ts) => (ts[index(act)].quant = undefined)), act, /without quantization parameters/);
  const reshape = int8.operators.find((op) => op.op === 'RESHAPE')!;
  const flat = int8.tensors[reshape.outputs[0]].name;
  rejects(broken((ts) => (ts[index(flat)].quant!.scale[0] *= 2)), flat, /RESHAPE output must keep its input's scale/);
  const add = int8.operators.find((op) => op.op === 'ADD')!;
  const sum = int8.tensors[add.outputs[0]].name;
  rejects(broken((ts) => (ts[index(sum)].quant!.scale[0] = 1e-12)), sum, /ADD output scale must exceed/);
  rejects(broken((ts) => (ts[index(act)].type = 'float32')), act, /mixes int8 and float32 activations/);
});
