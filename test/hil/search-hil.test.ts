import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { tinyMl } from '../../src/graph/tiny-ml.ts';
import { DEFAULT_TINY_ML } from '../../src/graph/tiny-ml.ts';
import type { MeasurementOk } from '../../src/measure/measurement.ts';
import { tempFiles } from '../host/cli-helpers.ts';
import type { CliResult } from '../host/cli-helpers.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'host', 'cli.ts');
const hilArgs = (save: string): string[] => [
  'search', '--width', '0.35', '--lr', '64', '--ur', '64', '--classes', '10', '--n-doe', '46', '--iterations', '2', '--n-iter', '3',
  '--sec-obj', 'latency_ms', '--max-ram-kb', '256', '--board', 'nucleo-l4r5zi', '--simulate', '--save', save,
];

/** The CLI in a child process, killed after `timeoutMs`: a refusal must come back, never hang. */
function runCli(args: string[], timeoutMs = 30_000): CliResult & { signal: string | null } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', cwd: root, timeout: timeoutMs });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

function netStats(save: string): { it: number; dir: string; stats: Record<string, unknown> }[] {
  if (!existsSync(save)) return [];
  return readdirSync(save)
    .filter((d) => /^iter_\d+$/.test(d))
    .flatMap((d) => readdirSync(join(save, d)).map((n) => ({ it: Number(d.slice(5)), dir: join(save, d, n), path: join(save, d, n, `${n}.stats`) })))
    .filter((n) => existsSync(n.path))
    .map((n) => ({ it: n.it, dir: n.dir, stats: JSON.parse(readFileSync(n.path, 'utf8')) }));
}

test('a search measured on a simulated board through the in-process hub and agent respects --max-ram-kb', () => {
  const save = join(tempFiles({}), 'run');
  const r = runCli([...hilArgs(save), '--json'], 60_000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).archiveSize, 52);
  const nets = netStats(save);
  assert.equal(nets.length, 52);
  for (const { dir, stats } of nets) {
    assert.equal(typeof stats.latency_ms, 'number');
    assert.equal(typeof stats.ram_kb, 'number');
    const m = stats.measurement as { ok: boolean; provenance: { simulated: boolean; profile: string } };
    assert.equal(m.provenance.simulated, true);
    assert.equal(m.provenance.profile, 'nucleo-l4r5zi');
    assert.ok(existsSync(join(dir, 'model.tflite')), `${dir} has no model.tflite`);
  }
  const proposed = nets.filter((n) => n.it > 0);
  assert.equal(proposed.length, 6);
  for (const { dir, stats } of proposed) assert.ok((stats.ram_kb as number) <= 256, `${dir}: ram_kb ${String(stats.ram_kb)}`);
  const saved = JSON.parse(readFileSync(join(save, 'run.json'), 'utf8'));
  assert.deepEqual([saved.board, saved.simulate, saved.token], [['nucleo-l4r5zi'], true, undefined]);
});

test('unknown boards, a board without a fleet, and measured keys without --board are refused (exit 2, one line, nothing written)', () => {
  const fresh = join(tempFiles({}), 'fresh');
  const base = ['search', '--width', '0.35', '--lr', '64', '--ur', '64', '--classes', '10', '--save', fresh];
  const cases: [string[], RegExp][] = [
    [[...base, '--sec-obj', 'latency_ms', '--board', 'nucleo-nope', '--simulate'], /--board: unknown board profile "nucleo-nope"; known: .*nucleo-l4r5zi/],
    [[...base, '--sec-obj', 'latency_ms', '--board', 'nucleo-l4r5zi'], /--board: give either --hub <url> \(with --token\) or --simulate/],
    [[...base, '--sec-obj', 'latency_ms'], /latency_ms is measured on a board: give --board <profile> with --simulate or --hub <url>/],
    [[...base, '--sec-obj', 'macs', '--max-latency-ms', '100'], /latency_ms is measured on a board: give --board/],
    [[...base, '--sec-obj', 'energy_mj', '--evaluator', 'analytic', '--first-obj', 'macs'], /energy_mj is measured on a board/],
    [[...base, '--sec-obj', 'tiny_ml', '--tiny-ml', 'measured'], /^cnas: --tiny-ml measured \(tiny_ml_source\) needs boards to measure on: give --board <profile> with --simulate or --hub <url>/],
    [[...base, '--sec-obj', 'tiny_ml', '--tiny-ml', 'board', '--board', 'nucleo-l4r5zi', '--simulate'], /--tiny-ml <source>' argument 'board' is invalid. Allowed choices are cost, measured/],
  ];
  for (const [args, message] of cases) {
    const r = runCli(args);
    assert.equal(r.signal, null, `${args.join(' ')} hung`);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(existsSync(fresh), false, `${args.join(' ')} wrote ${fresh}`);
  }
});

test('killed during the DOE, a measured search resumes without measuring anything twice', async () => {
  const save = join(tempFiles({}), 'run');
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...hilArgs(save)], { cwd: root, stdio: 'ignore' });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && netStats(save).length < 10) await sleep(20);
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  const before = new Map(netStats(save).map((n) => [n.dir, statSync(join(n.dir, 'model.tflite')).mtimeMs]));
  assert.ok(before.size >= 10 && before.size < 46, `${before.size} candidates before the kill`);

  const r = runCli(['search', '--resume', save, '--json'], 60_000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).archiveSize, 52);
  for (const [dir, mtime] of before) assert.equal(statSync(join(dir, 'model.tflite')).mtimeMs, mtime, `${dir} was measured again`);
  assert.ok(netStats(save).every((n) => (n.stats.measurement as { provenance: { simulated: boolean } }).provenance.simulated));
});

test('--tiny-ml measured: a search on two simulated boards scores tiny_ml from the measured arena and flash of the worst board', () => {
  const save = join(tempFiles({}), 'run');
  const boards = ['nucleo-l4r5zi', 'rpi4'];
  const args = ['search', '--width', '0.35', '--lr', '64', '--ur', '64', '--classes', '10', '--n-doe', '46', '--iterations', '1', '--n-iter', '2'];
  const r = runCli([...args, '--sec-obj', 'tiny_ml', '--tiny-ml', 'measured', '--board', ...boards, '--simulate', '--save', save, '--json'], 60_000);
  assert.equal(r.code, 0, r.stderr);
  const nets = netStats(save);
  assert.equal(nets.length, 48);
  for (const { dir, stats } of nets) {
    const measurement = stats.measurement as Record<string, MeasurementOk>;
    const perBoard = boards.map((b) => tinyMl({ params: measurement[b].flash_bytes / 1e6, macs: stats.macs as number, activations: measurement[b].arena.bytes / 1e6 }, DEFAULT_TINY_ML));
    assert.equal(stats.tiny_ml, Math.max(...perBoard), dir);
    assert.equal(stats.tiny_ml_source, 'measured');
    assert.notEqual(stats.tiny_ml, tinyMl({ params: stats.params as number, macs: stats.macs as number, activations: stats.activations as number }, DEFAULT_TINY_ML));
  }
  assert.equal(JSON.parse(readFileSync(join(save, 'run.json'), 'utf8')).tiny_ml_source, 'measured');
  const it1 = JSON.parse(readFileSync(join(save, 'iter_1.stats'), 'utf8'));
  assert.equal(it1.sec_surrogate.key, 'tiny_ml');
  assert.notEqual(it1.sec_surrogate.model, 'exact', 'a measured tiny_ml is predicted, not computed from the config');
});

test('constraints no candidate meets: the summary names each with the best value reached, and --json lists them', () => {
  const base = ['search', '--width', '0.35', '--lr', '64', '--ur', '64', '--classes', '10', '--n-doe', '4', '--iterations', '0', '--sec-obj', 'latency_ms', '--board', 'nucleo-l4r5zi', '--simulate'];
  const save = join(tempFiles({}), 'run');
  const text = runCli([...base, '--max-ram-kb', '1', '--max-latency-ms', '0.0001', '--save', save]);
  assert.equal(text.code, 0, text.stderr);
  const arenas = netStats(save).map((n) => (n.stats.measurement as MeasurementOk).arena.bytes / 1024);
  const latencies = netStats(save).map((n) => n.stats.latency_ms as number);
  assert.ok(text.stdout.includes(`no candidate met --max-ram-kb 1: the lowest ram_kb of any candidate was ${Number(Math.min(...arenas).toPrecision(4))} kB\n`), text.stdout);
  assert.ok(text.stdout.includes(`no candidate met --max-latency-ms 0.0001: the lowest latency_ms of any candidate was ${Number(Math.min(...latencies).toPrecision(4))} ms\n`), text.stdout);
  assert.match(text.stdout, /no feasible front: the values below are those of the least-violating candidates\nleast violating +value\n/);

  const json = runCli([...base, '--max-ram-kb', '1', '--save', `${save}-json`, '--json']);
  assert.equal(json.code, 0, json.stderr);
  const result = JSON.parse(json.stdout);
  assert.deepEqual(result.infeasible, [{ constraint: 'ram_kb', limit: 1, best: Math.min(...netStats(`${save}-json`).map((n) => n.stats.ram_kb as number)) }]);
  assert.equal(result.best.ram_kb, result.infeasible[0].best, 'the least-violating candidate stands in for the front');

  const met = runCli([...base, '--max-ram-kb', '100000', '--save', `${save}-met`, '--json']);
  assert.deepEqual(JSON.parse(met.stdout).infeasible, []);
});
