import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initWasmBackend } from '../../src/nn/backend/wasm-setup.ts';
import { trainSupernet } from '../../src/nn/supernet/train-run.ts';
import { trainingData } from '../../src/nn/training-data.ts';
import { createEvaluator } from '../../src/search/evaluators/create-evaluator.ts';
import { runSearch } from '../../src/search/search-loop.ts';
import { resolveSearchOptions } from '../../src/search/search-options.ts';
import { loadSpace } from '../../src/space/load-space.ts';
import { sampleConfigs } from '../../src/space/sample.ts';

/** A narrow three-stage space: 15 genes, so a search needs only 16 DOE networks. */
const SPACE_FILE = { width_mult: 0.35, base_widths: [16, 16, 24, 40, 80, 960, 1280], strides: [2, 2, 2], activations: ['relu', 'hswish', 'hswish'], se: [false, true, true], depths: [1, 2], kernels: [3, 5], expands: [3, 4], lr: 32, ur: 32 };
const tmp = (): string => mkdtempSync(join(tmpdir(), 'cnas-train-'));

before(async () => {
  await initWasmBackend();
});

test('a tiny supernet trains on synthetic data, then two candidates are fine-tuned from it through the train evaluator', async () => {
  const dir = tmp();
  const space = loadSpace('mobilenetv3', {}, SPACE_FILE);
  const data = trainingData({ dataset: 'synthetic', valSplit: 0.25, syntheticSize: 96, classes: 10, seed: 0 });
  const supernetDir = join(dir, 'supernet');
  const run = trainSupernet(space, 10, data, { save: supernetDir, resume: false, epochs: 1, batchSize: 24, learningRate: 0.05, weightDecay: 0, randomSubnets: 1, seed: 0 });
  assert.equal(run.epochs, 1);
  assert.ok(Number.isFinite(run.losses[0]) && run.largest_top1 >= 0 && run.largest_top1 <= 100);
  assert.ok(existsSync(join(supernetDir, 'train-state.json')));
  // resuming a finished run trains nothing more and reports the same losses
  assert.deepEqual(trainSupernet(space, 10, data, { save: supernetDir, resume: true, epochs: 1, batchSize: 24, learningRate: 0.05, weightDecay: 0, randomSubnets: 1, seed: 0 }).losses, run.losses);
  assert.throws(() => trainSupernet(space, 10, data, { save: supernetDir, resume: false, epochs: 1, batchSize: 24, learningRate: 0.05, weightDecay: 0, randomSubnets: 1, seed: 0 }), /already holds a supernet/);

  const options = resolveSearchOptions({ save: join(dir, 'run'), evaluator: 'train', lr: 32, ur: 32, width_mult: 0.35, n_classes: 10, synthetic_size: 96, val_split: 0.25, n_epochs: 1, trn_batch_size: 24, learning_rate: 0.05, supernet: supernetDir, recalib_batches: 2 });
  const evaluator = await createEvaluator(options, space);
  assert.equal(evaluator.info?.backend, 'wasm');
  const requests = sampleConfigs(space, 2, 3).map((config, index) => ({ config, dir: join(dir, `net_${index}`), iteration: 0, index, alphaNorm: 1 }));
  const outcomes = await evaluator.evaluate(requests);
  for (const [i, o] of outcomes.entries()) {
    assert.ok(o.ok, o.ok ? '' : o.reason);
    assert.ok((o.stats.top1 as number) >= 0 && (o.stats.top1 as number) <= 100);
    assert.equal((o.stats.train as { supernet: boolean }).supernet, true);
    assert.ok(existsSync(join(dir, `net_${i}`, 'ckpt', 'weights.bin')));
  }
});

test('a 2-iteration search trains every candidate with the train evaluator', async () => {
  const dir = tmp();
  const space = loadSpace('mobilenetv3', {}, SPACE_FILE);
  const spaceFile = join(dir, 'space.json');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(spaceFile, JSON.stringify(SPACE_FILE));
  const options = resolveSearchOptions({ save: join(dir, 'run'), evaluator: 'train', space_file: spaceFile, lr: 32, ur: 32, width_mult: 0.35, n_classes: 10, synthetic_size: 64, val_split: 0.25, n_epochs: 1, trn_batch_size: 16, learning_rate: 0.05, sec_obj: ['macs'], n_doe: 16, iterations: 2, n_iter: 2, pop_size: 10, generations: 3 });
  const result = await runSearch(options, { space, evaluator: await createEvaluator(options, space) });
  assert.equal(result.lastIteration, 2);
  assert.equal(result.archiveSize, 16 + 2 * 2);
  const stats = JSON.parse(readFileSync(join(options.save, 'iter_2', 'net_0', 'net_0.stats'), 'utf8'));
  assert.ok(typeof stats.top1 === 'number' && stats.train.epochs === 1 && stats.train.supernet === false);
});

test('bad training input is refused by name', async () => {
  const space = loadSpace('mobilenetv3', { widthMult: 0.35 });
  const base = { evaluator: 'train' as const, width_mult: 0.35, n_classes: 10 };
  await assert.rejects(createEvaluator(resolveSearchOptions({ ...base, dataset: 'cifar10', data: join(tmp(), 'missing') }), space), /--dataset cifar10: .*missing/);
  await assert.rejects(createEvaluator(resolveSearchOptions({ ...base, dataset: 'mnist' }), space), /--dataset mnist: unknown dataset "mnist"; allowed: cifar10, cifar100, synthetic, imagefolder/);
  await assert.rejects(createEvaluator(resolveSearchOptions({ ...base, supernet: join(tmp(), 'nothing') }), space), /--supernet .*nothing: checkpoint manifest .* does not exist/);
  await assert.rejects(createEvaluator(resolveSearchOptions({ ...base, backend: 'tensorflow' }), space), /--backend tensorflow: backend 'tensorflow' is unavailable/);
});
