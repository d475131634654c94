import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initWasmBackend } from '../../src/nn/backend/wasm-setup.ts';
import { fullTrain } from '../../src/nn/full-train.ts';
import { trainingData } from '../../src/nn/training-data.ts';
import { loadSpace } from '../../src/space/load-space.ts';

before(async () => {
  await initWasmBackend();
});

test('full training keeps the best epoch in trained/, resumes after an interruption, and refuses to start over', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnas-full-'));
  writeFileSync(join(dir, 'net.subnet'), JSON.stringify({ ks: new Array(10).fill(3), e: new Array(10).fill(3), d: [2, 2, 2, 2, 2] }));
  const space = loadSpace('mobilenetv3', { widthMult: 0.35 });
  const data = trainingData({ dataset: 'synthetic', valSplit: 0.25, syntheticSize: 96, classes: 10, seed: 0 });
  const o = { dir, resolution: 32, classes: 10, epochs: 2, batchSize: 24, learningRate: 0.05, weightDecay: 5e-5, labelSmoothing: 0.1, resume: false, seed: 0 };
  const first = fullTrain(space, data, o);
  assert.equal(first.history.length, 2);
  assert.match(first.started_from, /seeded random/);
  assert.ok(existsSync(join(dir, 'trained', 'weights.bin')) && existsSync(join(dir, 'last', 'weights.bin')));
  assert.ok(first.best_epoch >= 1 && first.best_top1_error === Math.min(...first.history.map((h) => h.val_top1_error)));
  assert.throws(() => fullTrain(space, data, o), /already trained .*add --resume/);
  const resumed = fullTrain(space, data, { ...o, epochs: 3, resume: true });
  assert.deepEqual(resumed.history.slice(0, 2), first.history);
  assert.equal(resumed.history.length, 3);
});

test('full training of an early-exit net trains its exits after the backbone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnas-full-ee-'));
  writeFileSync(join(dir, 'net.subnet'), JSON.stringify({ ks: new Array(10).fill(3), e: new Array(10).fill(3), d: [2, 2, 2, 2, 2], t: [1, 0.1, 1, 0.2] }));
  const space = loadSpace('eemobilenetv3', { widthMult: 0.35 });
  const data = trainingData({ dataset: 'synthetic', valSplit: 0.25, syntheticSize: 64, classes: 10, seed: 0 });
  const exits = { method: 'joint' as const, epochs: 1, warmupEpochs: 0, lr: 0.01, wAlpha: 1, wBeta: 1, wGamma: 1, supportSet: false, tuneEpsilon: false };
  const result = fullTrain(space, data, { dir, resolution: 32, classes: 10, epochs: 1, batchSize: 16, learningRate: 0.05, weightDecay: 5e-5, labelSmoothing: 0, resume: false, seed: 0, exits });
  const ratios = result.exits?.exits_ratio as number[];
  assert.equal(ratios.length, 3);
  assert.ok(Math.abs(ratios.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  assert.equal(typeof result.exits?.avg_macs, 'number');
});
