import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exitCosts } from '../../src/graph/exit-cost.ts';
import { calibrationRanges, exportTflite } from '../../src/export/export-model.ts';
import { exportSegments } from '../../src/export/export-segments.ts';
import { readTflite } from '../../src/export/reader.ts';
import { splitSegments } from '../../src/export/segments.ts';
import { compareOutputs, runSegments, runTflite, tfjsOutputs } from '../../src/export/verify.ts';
import { normalImages, randomWeights, sampledGraph, trainedLikeNet } from './fixtures.ts';

const filesOf = (e: ReturnType<typeof exportSegments>) => new Map(e.files.map((f) => [f.file, f.bytes]));

test('float segments run one after another give the TF.js multi-exit outputs', async () => {
  const net = await trainedLikeNet(sampledGraph('eemobilenetv3', 12, 48), 12);
  const images = normalImages(3, 48, 4);
  const exported = exportSegments(net.graph, net.weights);
  const chain = await runSegments(filesOf(exported), exported.manifest, images);
  const check = compareOutputs(chain, tfjsOutputs(net.graph, net.params, images), 3);
  assert.equal(chain.length, net.graph.exits.length);
  assert.ok(check.maxRelError <= 1e-4, `max relative error ${check.maxRelError}`);
});

test('the manifest: segment order, boundary tensors, thresholds and per-exit costs from the NetGraph', () => {
  const graph = sampledGraph('eemobilenetv3', 13, 40);
  const { manifest, files } = exportSegments(graph, randomWeights(graph, 1));
  const k = graph.exits.length - 1;
  const expectedOrder = [...Array.from({ length: k }, (_, i) => [`segment_${i}.tflite`, `exit_${i}.tflite`]).flat(), 'final.tflite'];
  assert.deepEqual(manifest.segments.map((s) => s.file), expectedOrder);
  assert.deepEqual(files.map((f) => f.file), expectedOrder);
  manifest.segments.forEach((s, i) => {
    const g = readTflite(files[i].bytes).subgraphs[0];
    assert.equal(g.tensors[g.inputs[0]].name, s.input.name);
    assert.deepEqual(g.tensors[g.outputs[0]].shape, s.output.shape);
    if (s.role === 'exit') assert.equal(s.input.name, manifest.segments[i - 1].output.name, 'a head reads what its backbone segment wrote');
    if (s.role !== 'exit' && i > 0) assert.equal(s.input.name, manifest.segments[i - 2].output.name, 'a backbone segment reads the previous one');
  });
  assert.equal(manifest.segments[0].input.name, 'input');
  const costs = exitCosts(graph);
  manifest.exits.forEach((e, i) => {
    assert.equal(e.threshold, graph.exits[i].threshold);
    assert.equal(e.backbone_macs, costs[i].backboneMacs);
    assert.equal(e.classifier_macs, costs[i].classifierMacs);
  });
  assert.deepEqual(manifest.exits[1].run, ['segment_0.tflite', 'segment_1.tflite', 'exit_1.tflite']);
  assert.deepEqual(manifest.exits[k].run, [...expectedOrder.filter((f) => f.startsWith('segment_')), 'final.tflite']);
});

test('flag-based exits (cbnmobilenetv3) split where the flags put exits; thresholds are null', () => {
  const graph = sampledGraph('cbnmobilenetv3', 14, 40);
  const segments = splitSegments(graph);
  assert.equal(segments.length, 2 * graph.exits.length - 1);
  const { manifest } = exportSegments(graph, randomWeights(graph, 2));
  assert.ok(manifest.exits.every((e) => e.threshold === null));
  assert.deepEqual(
    manifest.exits.map((e) => e.after_stage),
    graph.exits.map((e) => e.afterStage),
  );
});

test('int8 segments share boundary quantisation and compute exactly what the multi-output int8 model computes', async () => {
  const graph = sampledGraph('eemobilenetv3', 15, 40);
  const weights = randomWeights(graph, 3);
  const ranges = calibrationRanges(graph, weights, normalImages(2, 40, 5));
  const options = { int8: { ranges, io: 'int8' as const } };
  const exported = exportSegments(graph, weights, options);
  const segs = exported.manifest.segments;
  segs.forEach((s, i) => {
    if (s.role === 'backbone') {
      assert.equal(segs[i + 1].input.scale, s.output.scale);
      assert.equal(segs[i + 1].input.zero_point, s.output.zero_point);
    }
  });
  const images = normalImages(2, 40, 6);
  const chain = await runSegments(filesOf(exported), exported.manifest, images);
  const whole = await runTflite(exportTflite(graph, weights, options), images);
  assert.deepEqual(chain, whole);
});
