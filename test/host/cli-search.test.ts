import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli, tempFiles } from './cli-helpers.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const searchArgs = (save: string): string[] => ['search', '--sec-obj', 'macs', '--n-doe', '60', '--iterations', '8', '--n-iter', '8', '--lr', '40', '--ur', '104', '--classes', '10', '--save', save];

function statsFiles(save: string): string[] {
  return readdirSync(save)
    .filter((d) => /^iter_\d+$/.test(d))
    .flatMap((d) => readdirSync(join(save, d)).map((n) => join(save, d, n, `${n}.stats`)))
    .filter((p) => existsSync(p));
}

test('cnas search --evaluator synthetic completes, writes iter_0..iter_8, hv never decreases', () => {
  const save = join(tempFiles({}), 'run');
  const r = runCli([...searchArgs(save), '--evaluator', 'synthetic', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.equal(result.archiveSize, 124);
  let hv = -1;
  for (let it = 0; it <= 8; it++) {
    const s = JSON.parse(readFileSync(join(save, `iter_${it}.stats`), 'utf8'));
    assert.ok(s.hv >= hv);
    hv = s.hv;
  }
});

test('killed with SIGKILL mid-iteration, the run resumes to the same archive without evaluating anything twice', async () => {
  const save = join(tempFiles({}), 'run');
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'host', 'cli.ts'), ...searchArgs(save), '--eval-delay-ms', '25'], { cwd: root, stdio: 'ignore' });
  // kill once iteration 2 is complete and iteration 3 has started evaluating
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !(existsSync(join(save, 'iter_2.stats')) && statsFiles(save).some((p) => p.includes('iter_3')))) await sleep(20);
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  assert.ok(existsSync(join(save, 'iter_2.stats')), 'the run never reached iteration 3');
  assert.equal(existsSync(join(save, 'iter_8.stats')), false, 'the run finished before it was killed');
  const before = new Map(statsFiles(save).map((p) => [p, statSync(p).mtimeMs]));

  const r = runCli(['search', '--resume', save, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).archiveSize, 124);
  for (const [path, mtime] of before) assert.equal(statSync(path).mtimeMs, mtime, `${path} was evaluated again`);
  const log = readFileSync(join(save, 'search.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const fresh = log.filter((l) => l.msg === 'candidate' && l.reused === false);
  assert.equal(fresh.length, 124, 'every architecture is evaluated exactly once');
  assert.equal(new Set(fresh.map((l) => `${l.iteration}/${l.net}`)).size, 124);
});

test('bad search input exits 2 with one line, before anything is written', () => {
  const dir = tempFiles({ 'corrupt.json': '{"iterations": "many"}' });
  const fresh = join(dir, 'fresh');
  const cases: [string[], RegExp][] = [
    [['search', '--sec-obj', 'speed', '--save', fresh], /argument 'speed' is invalid. Allowed choices are top1, top1_robust, params/],
    [['search', '--first-predictor', 'svm', '--save', fresh], /Allowed choices are rbf, carts, gp, mlp, as/],
    [['search', '--sec-obj', 'macs', '--n-doe', '20', '--save', fresh], /--n-doe 20 is too small: the surrogates need more samples than the 45 genes of mobilenetv3; use --n-doe 46 or more/],
    [['search', '--sec-obj', 'latency_ms', '--save', fresh], /the synthetic evaluator does not provide "latency_ms"; it provides: top1, robustness, params/],
    [['search', '--resume', join(dir, 'nowhere', 'iter_3')], /no such run directory/],
    [['search', '--config', join(dir, 'corrupt.json'), '--save', fresh], /corrupt\.json: field "iterations": Invalid input: expected number, received string/],
    [['search', '--config', join(dir, 'missing.json'), '--save', fresh], /missing\.json: no such file/],
    [['search', '--evaluator', 'analytic', '--first-obj', 'macs', '--sec-obj', 'params', '--max-params', '1.0', '--save', fresh], /no architecture of mobilenetv3 \(width 1, 224 px, 1000 classes\) meets params <= 1: the smallest has 3\.41/],
    [['post-search', '--expr', join(dir, 'nowhere', 'iter_3.stats'), '--save', fresh], /iter_3\.stats: no such file/],
  ];
  for (const [args, message] of cases) {
    const r = runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(existsSync(fresh), false, `${args.join(' ')} wrote ${fresh}`);
  }
});

test('cnas search --evaluator analytic --first-obj macs --sec-obj params --max-params 1.0 keeps every candidate feasible', () => {
  const save = join(tempFiles({}), 'run');
  const r = runCli(['search', '--evaluator', 'analytic', '--first-obj', 'macs', '--sec-obj', 'params', '--max-params', '1.0', '--width', '0.35', '--iterations', '3', '--save', save, '--json']);
  assert.equal(r.code, 0, r.stderr);
  for (let it = 1; it <= 3; it++) {
    const s = JSON.parse(readFileSync(join(save, `iter_${it}.stats`), 'utf8'));
    assert.ok(s.candidates.length > 0);
    for (const row of s.candidates) assert.ok(row[2] <= 1.0, `params ${row[2]}`);
  }
  const picked = runCli(['post-search', '--expr', join(save, 'iter_3.stats'), '--save', join(save, 'best'), '-n', '2', '--json']);
  assert.equal(picked.code, 0, picked.stderr);
  assert.equal(JSON.parse(picked.stdout).length, 2);
});

test('resume refuses another search space, a corrupt iteration file, and a save that already holds a run', () => {
  const save = join(tempFiles({}), 'run');
  assert.equal(runCli([...searchArgs(save), '--iterations', '1', '--json']).code, 0);
  const other = runCli(['search', '--resume', join(save, 'iter_1'), '--space', 'eemobilenetv3']);
  assert.equal(other.code, 2);
  assert.match(other.stderr, /belongs to another search space: search_space "mobilenetv3" there, "eemobilenetv3" now/);
  const again = runCli(searchArgs(save));
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already holds a run; resume it with --resume/);
  const stats = readFileSync(join(save, 'iter_1.stats'), 'utf8');
  writeFileSync(join(save, 'iter_1.stats'), stats.slice(0, 100));
  const corrupt = runCli(['search', '--resume', join(save, 'iter_1.stats'), '--iterations', '2']);
  assert.equal(corrupt.code, 2);
  assert.match(corrupt.stderr, /iter_1\.stats: corrupt JSON/);
  writeFileSync(join(save, 'iter_1.stats'), stats);
  assert.equal(runCli(['search', '--resume', join(save, 'iter_1.stats'), '--iterations', '2', '--json']).code, 0);
});

test('--workers 2 evaluates in child processes with the same results as one process', () => {
  const dir = tempFiles({});
  const args = (save: string): string[] => ['search', '--sec-obj', 'macs', '--n-doe', '50', '--iterations', '1', '--n-iter', '4', '--lr', '40', '--ur', '104', '--classes', '10', '--save', save, '--json'];
  const one = runCli(args(join(dir, 'one')));
  const two = runCli([...args(join(dir, 'two')), '--workers', '2']);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(two.code, 0, two.stderr);
  const archive = (save: string): unknown => JSON.parse(readFileSync(join(save, 'iter_1.stats'), 'utf8')).archive;
  assert.deepEqual(archive(join(dir, 'two')), archive(join(dir, 'one')));
  assert.match(readFileSync(join(dir, 'two', 'search.log'), 'utf8'), /"workers":2/);
});
