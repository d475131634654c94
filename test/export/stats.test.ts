import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkCost } from '../../src/graph/cost.ts';
import { peakActivationBytes, weightBytesInt8 } from '../../src/graph/memory.ts';
import { numel } from '../../src/graph/types.ts';
import type { Layer, NetGraph } from '../../src/graph/types.ts';
import { calibrationRanges, exportTflite } from '../../src/export/export-model.ts';
import { modelStats } from '../../src/export/model-stats.ts';
import { readTflite } from '../../src/export/reader.ts';
import { normalImages, randomWeights, sampledGraph } from './fixtures.ts';

function int8Stats(graph: NetGraph, io: 'int8' | 'float' = 'int8') {
  const weights = randomWeights(graph, 4);
  const ranges = calibrationRanges(graph, weights, normalImages(1, graph.resolution, 8));
  return modelStats(readTflite(exportTflite(graph, weights, { int8: { ranges, io } })));
}

/** Multiply-accumulates of the convolutions and linear layers, per NetGraph layer. */
function convFcMacs(layer: Layer, graph: NetGraph): number {
  switch (layer.kind) {
    case 'conv':
      return numel(graph.tensors[layer.output]) * (layer.cin / layer.groups) * layer.kernel * layer.kernel;
    case 'se':
      return 2 * layer.channels * layer.reduced; // two 1x1 convs on the 1x1 squeezed map
    case 'linear':
      return layer.cin * layer.cout;
    default:
      return 0;
  }
}

for (const [space, seed] of [
  ['mobilenetv3', 31],
  ['eemobilenetv3', 32],
] as const) {
  test(`${space}: the reader's conv/FC MACs equal the cost model's, and the arena equals peakActivationBytes`, () => {
    const graph = sampledGraph(space, seed, 40);
    const stats = int8Stats(graph);
    assert.equal(stats.totals.convFcMacs, graph.layers.reduce((s, l) => s + convFcMacs(l, graph), 0));
    assert.equal(stats.totals.arenaBytes, peakActivationBytes(graph));
  });
}

test('total MACs differ from the cost model (torchprofile rules) exactly by folded BN and how means are counted', () => {
  const graph = sampledGraph('mobilenetv3', 33, 48);
  const stats = int8Stats(graph);
  let folded = 0;
  for (const l of graph.layers) {
    const [h, w, c] = l.kind === 'conv' || l.kind === 'se' || l.kind === 'global_pool' ? graph.tensors[l.input] : [0, 0, 0];
    // BN costs numel(out) in the cost model; folded into the conv it costs nothing
    if (l.kind === 'conv' && l.batchNorm) folded += numel(graph.tensors[l.output]);
    // torchprofile counts a mean over H then W as c*h + c; TFLite's MEAN accumulates h*w*c. The SE's 1/6
    // scaling is one MUL per channel in TFLite and uncounted in the cost model: its c cancels the mean's.
    if (l.kind === 'se') folded += c * h - h * w * c;
    if (l.kind === 'global_pool') folded += c * h + c - h * w * c;
  }
  assert.equal(stats.totals.macs, networkCost(graph).macs - folded);
});

test('parameter bytes: the int8 weight bytes of the cost model plus the zero biases and SE constants TFLite needs', () => {
  const graph = sampledGraph('eemobilenetv3', 34, 40);
  const stats = int8Stats(graph, 'float');
  let extra = 0;
  for (const l of graph.layers) {
    if (l.kind === 'conv' && !l.bias && !l.batchNorm) extra += 4 * l.cout; // TFLite's conv kernels require a bias
    if (l.kind === 'se') extra += 1; // the int8 1/6 of the hard sigmoid
  }
  assert.equal(stats.totals.paramBytes, weightBytesInt8(graph) + extra);
  assert.ok(stats.totals.constantBytes > stats.totals.paramBytes, 'shape, axis and padding operands come on top');
  assert.ok(stats.totals.fileBytes > stats.totals.constantBytes);
});
