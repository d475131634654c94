import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempFiles } from './cli-helpers.ts';

test('cnas bench-train --json prints the throughput keys', () => {
  const r = runCli(['bench-train', '--net', 'min', '--steps', '1', '--batch', '8', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out), ['backend', 'net', 'batch', 'train_img_s', 'infer_b1_img_s', 'infer_b64_img_s']);
  assert.equal(out.backend, 'wasm');
  assert.ok(out.train_img_s > 0 && out.infer_b1_img_s > 0);
});

test('cnas supernet train trains, refuses to overwrite, and a missing backend or dataset exits 2', () => {
  const save = join(tempFiles({}), 'supernet');
  const args = ['supernet', 'train', '--width', '0.35', '--lr', '32', '--ur', '32', '--synthetic-size', '48', '--epochs', '1', '--batch-size', '16', '--random-subnets', '0', '--save', save];
  const first = runCli([...args, '--json']);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(JSON.parse(first.stdout).epochs, 1);
  const again = runCli(args);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already holds a supernet; add --resume/);
  const resumed = runCli([...args, '--resume', '--epochs', '2', '--json']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(JSON.parse(resumed.stdout).losses.length, 2);
  const wrongSpace = runCli([...args.map((a) => (a === '0.35' ? '0.5' : a)), '--resume', '--epochs', '3']);
  assert.equal(wrongSpace.code, 2);
  assert.match(wrongSpace.stderr, /trained for another space: width_mult 0\.35 there, 0\.5 here/);
  for (const [extra, message] of [
    [['--backend', 'tensorflow'], /--backend tensorflow: backend 'tensorflow' is unavailable/],
    [['--dataset', 'cifar10', '--data', join(save, 'nope')], /--dataset cifar10: /],
  ] as const) {
    const r = runCli([...args.slice(0, -1), join(save, '..', 'other'), ...extra]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('cnas supernet import-ofa converts the fixture and refuses the malicious pickle', () => {
  const dir = tempFiles({});
  const space = ['--space-file', 'test/fixtures/ofa/tiny_ofa_space.json', '--classes', '10'];
  const ok = runCli(['supernet', 'import-ofa', 'test/fixtures/ofa/tiny_ofa.pth', ...space, '--save', join(dir, 'sn'), '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(JSON.parse(ok.stdout).tensors > 10);
  const bad = runCli(['supernet', 'import-ofa', 'test/fixtures/ofa/malicious.pth', ...space, '--save', join(dir, 'bad')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /global os\.system is not allowed/);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
});

test('an early-exit search with the train evaluator: every candidate carries exit ratios summing to 1 and avg_macs', () => {
  const save = join(tempFiles({}), 'run');
  const r = runCli([
    'search', '--evaluator', 'train', '--search-space', 'eemobilenetv3', '--trainer-type', 'multi_exits', '--sec-obj', 'avg_macs',
    '--dataset', 'synthetic', '--lr', '32', '--ur', '32', '--width', '0.35', '--classes', '10', '--synthetic-size', '40',
    '--n-epochs', '0', '--ee-epochs', '1', '--trn-batch-size', '20', '--n-doe', '50', '--iterations', '2', '--n-iter', '2',
    '--pop-size', '10', '--generations', '2', '--save', save, '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).lastIteration, 2);
  for (let it = 0; it <= 2; it++) {
    for (const net of readdirSync(join(save, `iter_${it}`))) {
      const stats = JSON.parse(readFileSync(join(save, `iter_${it}`, net, `${net}.stats`), 'utf8'));
      assert.ok(Math.abs(stats.exits_ratio.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-9, `${it}/${net}`);
      assert.equal(typeof stats.avg_macs, 'number');
    }
  }
});

test('cnas eval-ood --preview writes a PNG grid; a folder without weights exits 2', async () => {
  const dir = tempFiles({ 'net.subnet': JSON.stringify({ ks: new Array(10).fill(3), e: new Array(10).fill(3), d: [2, 2, 2, 2, 2] }) });
  const png = join(dir, 'grid.png');
  const r = runCli(['eval-ood', '--preview', png]);
  assert.equal(r.code, 0, r.stderr);
  const { decodePng } = await import('../../src/data/png.ts');
  const image = decodePng(readFileSync(png), png);
  assert.ok(image.width > 5 * 32 && image.height > 15 * 32);
  const bad = runCli(['eval-ood', dir]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /no trained\/ or ckpt\/ weights; train the net first/);
});
