import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFloatModel } from '../../src/export/build-float.ts';
import { exportTflite } from '../../src/export/export-model.ts';
import { FloatReference } from '../../src/export/float-reference.ts';
import { checkFloatExport, compareOutputs, tfjsOutputs } from '../../src/export/verify.ts';
import { normalImages, sampledGraph, trainedLikeNet } from './fixtures.ts';

/** Sampled configs of all three spaces (width 0.35) at several resolutions, odd ones included (SAME vs PAD). */
const CASES: [space: string, seed: number, resolution: number][] = [
  ['mobilenetv3', 1, 32],
  ['mobilenetv3', 2, 57],
  ['eemobilenetv3', 3, 40],
  ['eemobilenetv3', 4, 64],
  ['cbnmobilenetv3', 5, 48],
  ['cbnmobilenetv3', 6, 35],
];

for (const [space, seed, resolution] of CASES) {
  test(`float export of ${space} #${seed} at ${resolution} px matches TF.js within 1e-4 in the TFLite runtime`, async (t) => {
    const net = await trainedLikeNet(sampledGraph(space, seed, resolution), seed);
    const bytes = exportTflite(net.graph, net.weights);
    const check = await checkFloatExport(bytes, net.graph, net.params, normalImages(3, resolution, seed + 10));
    assert.equal(check.perOutput.length, net.graph.exits.length);
    t.diagnostic(`max relative error ${check.maxRelError.toExponential(2)}`);
    assert.ok(check.maxRelError <= 1e-4, `max relative error ${check.maxRelError}`);
  });
}

test('SOFTMAX outputs match TF.js softmax', async () => {
  const net = await trainedLikeNet(sampledGraph('eemobilenetv3', 7, 36), 7);
  const check = await checkFloatExport(exportTflite(net.graph, net.weights, { softmax: true }), net.graph, net.params, normalImages(2, 36, 1), { softmax: true });
  assert.ok(check.maxRelError <= 1e-4, `max relative error ${check.maxRelError}`);
});

test('the float reference used for calibration computes what TF.js computes', async () => {
  const net = await trainedLikeNet(sampledGraph('cbnmobilenetv3', 8, 40), 8);
  const images = normalImages(2, 40, 2);
  const reference = new FloatReference(buildFloatModel(net.graph, net.weights));
  const size = 40 * 40 * 3;
  const outputs = net.graph.exits.map((_, k) => {
    const rows = [0, 1].map((s) => reference.run(images.subarray(s * size, (s + 1) * size))[k]);
    return Float32Array.from([...rows[0], ...rows[1]]);
  });
  assert.ok(compareOutputs(outputs, tfjsOutputs(net.graph, net.params, images), 2).maxRelError <= 1e-4);
});
