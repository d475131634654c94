import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Batcher } from '../../src/data/batcher.ts';
import { synthetic } from '../../src/data/synthetic.ts';
import { avgMacs, exitCosts, expectedMacs } from '../../src/graph/exit-cost.ts';
import type { NetGraph } from '../../src/graph/types.ts';
import { initWasmBackend } from '../../src/nn/backend/wasm-setup.ts';
import { disposeParams, initParams } from '../../src/nn/model/params.ts';
import type { NetParams } from '../../src/nn/model/params.ts';
import type { ExitPredictions } from '../../src/nn/exits/predictions.ts';
import { predictExits } from '../../src/nn/exits/predictions.ts';
import { eeStats } from '../../src/nn/exits/stats.ts';
import { trainExits } from '../../src/nn/exits/train-exits.ts';
import type { EpochReport, TrainExitsOptions } from '../../src/nn/exits/train-exits.ts';
import { trainJoint } from '../../src/nn/exits/train-joint.ts';
import { loadSpace } from '../../src/space/load-space.ts';
import { realise } from '../../src/space/realise.ts';

const SMALLEST = { ks: Array<number>(10).fill(3), e: Array<number>(10).fill(3), d: [2, 2, 2, 2, 2] };

function small(space: string, extra: object = {}): NetGraph {
  return realise(loadSpace(space, { widthMult: 0.35 }), { ...SMALLEST, ...extra }, { resolution: 32, classes: 10 });
}

const data = {
  train: new Batcher(synthetic(128, 1), { batchSize: 32, seed: 1, augment: true }),
  validation: new Batcher(synthetic(64, 2), { batchSize: 64, shuffle: false }),
};

const OPTIONS: TrainExitsOptions = { method: 'joint', epochs: 1, warmupEpochs: 1, lr: 0.01, wAlpha: 1, wBeta: 1, wGamma: 1, supportSet: true, tuneEpsilon: true, seed: 1 };

const isHead = (name: string) => name.startsWith('exits.');

function snapshot(params: NetParams, select: (layer: string) => boolean): Float32Array[] {
  return params.tensors.filter((t) => select(t.layer)).map((t) => (t.variable.dataSync() as Float32Array).slice());
}

function identical(a: Float32Array[], b: Float32Array[]): boolean {
  return a.length === b.length && a.every((values, i) => values.length === b[i].length && values.every((v, j) => Object.is(v, b[i][j])));
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** avg_macs from exitCosts weighted by the ratios, in millions. */
function weightedCost(graph: NetGraph, ratios: readonly number[]): number {
  return sum(exitCosts(graph).map((e, i) => ratios[i] * (e.backboneMacs + e.classifierMacs))) / 1e6;
}

describe('early-exit networks', () => {
  before(() => initWasmBackend());

  test('exits sit where t and b say, with heads named exits.<i> and NACHOS confidence logits', () => {
    const ee = small('eemobilenetv3', { t: [0.1, 1, 0.2, 1] });
    assert.deepEqual(ee.exits.map((e) => [e.afterStage, e.afterBlock, e.threshold, e.final]), [[0, 2, 0.1, false], [2, 6, 0.2, false], [4, 10, 1, true]]);
    const cbn = small('cbnmobilenetv3', { b: [1, 0, 0, 1] });
    assert.deepEqual(cbn.exits.map((e) => [e.afterStage, e.afterBlock]), [[0, 2], [3, 8], [4, 10]]);
    assert.deepEqual(cbn.exits.map((e) => cbn.tensors[e.output][2]), [11, 11, 10]);
    for (const graph of [ee, cbn]) {
      const heads = graph.layers.filter((l) => l.part.kind === 'exit');
      assert.ok(heads.every((l) => l.part.kind === 'exit' && l.name.startsWith(`exits.${l.part.exit}.`)));
      assert.deepEqual([...new Set(heads.map((l) => (l.part.kind === 'exit' ? l.part.exit : -1)))], [0, 1]);
    }
  });

  test('joint training changes the backbone and every head and keeps the best final-exit state', () => {
    const graph = small('eemobilenetv3', { t: [0.1, 1, 0.2, 1] });
    const params = initParams(graph, 2);
    const heads = snapshot(params, isHead);
    const backbone = snapshot(params, (l) => !isHead(l));
    const result = trainExits(graph, params, data, OPTIONS);
    assert.ok(!identical(heads, snapshot(params, isHead)));
    assert.ok(!identical(backbone, snapshot(params, (l) => !isHead(l))));
    const s = result.stats;
    assert.deepEqual(result.epsilon, [0.1, 0.2, 1]);
    assert.deepEqual(s.epsilon, result.epsilon);
    assert.equal(s.cumulative_threshold, false);
    assert.equal(s.ece_scores, undefined);
    assert.deepEqual(Object.keys(s), ['backbone_top1', 'classifiers_params', 'backbone_params_i', 'classifiers_macs', 'backbone_macs_i', 'exits_ratio', 'avg_macs', 'expected_macs', 'epsilon', 'cumulative_threshold', 'top1', 'branch_scores', 'params', 'macs']);
    assert.ok(Math.abs(sum(result.exitRatios) - 1) < 1e-12);
    assert.ok(Math.abs(s.avg_macs - weightedCost(graph, result.exitRatios)) < 1e-9);
    assert.deepEqual(Object.keys(s.branch_scores), ['0', '1', '2', 'global']);
    assert.ok(Math.abs(s.top1 - (100 - 100 * s.branch_scores.global)) < 0.006);

    // Two more epochs: the kept state is the one with the best final-exit validation accuracy.
    const report: number[] = [];
    const kept = trainJoint(graph, params, data.train, data.validation, { epochs: 2, lr: 0.01, exitWeight: 0.5, momentum: 0.9, weightDecay: 5e-5, onEpoch: (r) => report.push(r.finalAccuracy) });
    assert.equal(kept.bestAccuracy, Math.max(...report));
    assert.equal(kept.bestEpoch, report.lastIndexOf(Math.max(...report)) + 1);
    const p = predictExits(graph, params, data.validation.epoch(0));
    assert.equal(sum(Array.from(p.correct[2])) / p.samples, kept.bestAccuracy);
    disposeParams(params);
  });

  test('bernulli training leaves the backbone and the final head bit-identical and trains the intermediate heads', () => {
    const graph = small('cbnmobilenetv3', { b: [1, 0, 1, 0] });
    const params = initParams(graph, 3);
    const heads = snapshot(params, isHead);
    const frozen = snapshot(params, (l) => !isHead(l));
    const epochs: EpochReport[] = [];
    const result = trainExits(graph, params, data, { ...OPTIONS, method: 'bernulli', mmax: 0.6, top1min: 0, onEpoch: (r) => epochs.push(r) });
    assert.deepEqual(epochs.map((e) => [e.epoch, e.support]), [[0, false], [1, true]]);
    assert.ok(identical(frozen, snapshot(params, (l) => !isHead(l))), 'backbone, final head or running statistics changed');
    assert.ok(!identical(heads, snapshot(params, isHead)));
    const s = result.stats;
    assert.equal(s.cumulative_threshold, true);
    assert.deepEqual(Object.keys(s.ece_scores ?? {}), ['0', '1', '2']);
    assert.ok(Object.values(s.ece_scores ?? {}).every((e) => e >= 0 && e <= 1));
    assert.ok(Math.abs(sum(result.exitRatios) - 1) < 1e-12);
    assert.ok(Math.abs(s.avg_macs - weightedCost(graph, result.exitRatios)) < 1e-9);
    // Tuned on the grid, then repaired towards mmax 0.6 (every step keeps accuracy >= 0).
    assert.equal(result.epsilon.length, 3);
    assert.ok(result.epsilon.every((e) => e >= 0.1 - 1e-9 && e <= 0.8));
    assert.ok(s.avg_macs <= 0.6 || result.epsilon.slice(0, 2).every((e) => e <= 0.11), `avg_macs ${s.avg_macs} with [${result.epsilon}]`);
    disposeParams(params);
  });

  test('a single-exit network is scored without training: exits_ratio [1], avg_macs = macs', () => {
    const graph = small('mobilenetv3');
    const params = initParams(graph, 5);
    const before = snapshot(params, () => true);
    const result = trainExits(graph, params, data, { ...OPTIONS, method: 'bernulli' });
    assert.ok(identical(before, snapshot(params, () => true)));
    assert.deepEqual(result.exitRatios, [1]);
    assert.deepEqual(result.epsilon, [1]);
    assert.equal(result.stats.avg_macs, result.stats.macs);
    assert.equal(result.stats.top1, result.stats.backbone_top1);
    disposeParams(params);
  });

  test('refuses a method that does not fit the heads', () => {
    const graph = small('cbnmobilenetv3', { b: [1, 0, 1, 0] });
    const params = initParams(graph, 4);
    assert.throws(() => trainExits(graph, params, data, OPTIONS), /joint needs exit heads without a confidence logit/);
    assert.throws(() => trainExits(graph, params, data, { ...OPTIONS, method: 'bernulli', top1min: 70 }), /fraction/);
    disposeParams(params);
  });
});

describe('eeStats', () => {
  test('avg_macs is the ratio-weighted exit cost; expected_macs adds the earlier heads; each classifier counted once', () => {
    const graph = small('eemobilenetv3', { t: [0.1, 1, 0.2, 1] });
    // Margins: sample 0 leaves at exit 0, sample 1 at exit 1, samples 2 and 3 at the final exit.
    const predictions: ExitPredictions = {
      samples: 4,
      labels: Int32Array.of(0, 1, 2, 3),
      correct: [Uint8Array.of(1, 0, 0, 0), Uint8Array.of(0, 0, 1, 1), Uint8Array.of(1, 1, 1, 0)],
      margins: [Float32Array.of(0.5, 0, 0, 0), Float32Array.of(0, 0.3, 0.1, 0), new Float32Array(4)],
      maxSoftmax: [new Float32Array(4).fill(0.5), new Float32Array(4).fill(0.5), new Float32Array(4).fill(0.5)],
      confidences: [new Float32Array(4).fill(1), new Float32Array(4).fill(1), new Float32Array(4).fill(1)],
    };
    const s = eeStats(graph, { predictions, epsilon: [0.1, 0.2, 1], rule: 'score_margin', backboneAccuracy: 0.75 });
    const costs = exitCosts(graph);
    assert.deepEqual(s.exits_ratio, [0.25, 0.25, 0.5]);
    assert.equal(s.avg_macs, avgMacs(costs, [0.25, 0.25, 0.5]) / 1e6);
    assert.ok(Math.abs(s.avg_macs - weightedCost(graph, s.exits_ratio)) < 1e-12);
    assert.equal(s.expected_macs, expectedMacs(costs, [0.25, 0.25, 0.5]) / 1e6);
    assert.deepEqual(s.branch_scores, { '0': 1, '1': 0, '2': 0.5, global: 0.5 });
    assert.equal(s.top1, 50);
    assert.equal(s.backbone_top1, 25);
    assert.deepEqual(s.classifiers_params, costs.map((e) => e.classifierParams / 1e6));
    assert.ok(Math.abs(s.params - (s.backbone_params_i[2] + sum(s.classifiers_params))) < 1e-12);
    assert.equal(s.macs, s.backbone_macs_i[2] + s.classifiers_macs[2]);
  });

  test('a single-exit network has exits_ratio [1] and avg_macs = macs', () => {
    const graph = small('mobilenetv3');
    const one = (v: number) => [Float32Array.of(v, v)];
    const predictions: ExitPredictions = { samples: 2, labels: Int32Array.of(0, 1), correct: [Uint8Array.of(1, 0)], margins: one(0.2), maxSoftmax: one(0.6), confidences: one(1) };
    const s = eeStats(graph, { predictions, epsilon: [1], rule: 'score_margin', backboneAccuracy: 0.5 });
    assert.deepEqual(s.exits_ratio, [1]);
    assert.equal(s.avg_macs, s.macs);
    assert.equal(s.top1, 50);
    assert.deepEqual(s.branch_scores, { '0': 0.5, global: 0.5 });
  });
});
