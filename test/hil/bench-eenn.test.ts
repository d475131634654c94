import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initWasmBackend } from '../../src/nn/backend/wasm-setup.ts';
import { runCli } from '../host/cli-helpers.ts';
import type { EennBenchReport } from '../../host/hil/bench-eenn.ts';
import { CONFIG, EPSILON, RUN, trainedEennDir } from './eenn-fixture.ts';

let dir: string;
before(async () => {
  await initWasmBackend();
  dir = trainedEennDir();
});

test('bench-eenn on a simulated board: ratios sum to 1, latency grows exit by exit, the expected latency lies between', () => {
  const r = runCli(['bench-eenn', dir, '--board', 'nucleo-l4r5zi', '--simulate', '--samples', '64', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as EennBenchReport;
  assert.equal(report.simulated, true);
  assert.equal(report.board.profile, 'nucleo-l4r5zi');
  assert.equal(report.data.samples, 64);
  assert.deepEqual(report.exit_rule, { rule: 'score_margin', epsilon: EPSILON, source: 'net.stats (the exit training of the search)' });
  assert.ok(report.exits[0].ratio > 0 && report.exits[2].ratio < 1, JSON.stringify(report.exits));
  assert.equal(report.exits.length, 3);
  assert.ok(Math.abs(report.exits.reduce((s, e) => s + e.ratio, 0) - 1) < 1e-9);
  const cumulative = report.exits.map((e) => e.cumulative_latency_ms);
  assert.ok(cumulative.every((c, i) => i === 0 || c > cumulative[i - 1]), `cumulative latencies ${cumulative.join(', ')}`);
  assert.ok(report.expected_latency_ms >= cumulative[0] && report.expected_latency_ms <= cumulative[2], JSON.stringify(report.exits) + report.expected_latency_ms);
  assert.ok(Math.abs(report.expected_latency_ms - report.exits.reduce((s, e) => s + e.ratio * e.cumulative_latency_ms, 0)) < 1e-9);
  assert.deepEqual(report.segments.map((s) => s.file), ['segment_0.tflite', 'exit_0.tflite', 'segment_1.tflite', 'exit_1.tflite', 'final.tflite']);
  assert.equal(report.arena_bytes, Math.max(...report.segments.map((s) => s.arena_bytes)));
  const runtime = report.segments[0].flash_bytes - report.segments[0].model_bytes;
  assert.equal(report.flash_bytes, runtime + report.segments.reduce((s, x) => s + x.model_bytes, 0));
  // Without the exit heads the network is cheaper than a sample that runs through every exit.
  assert.ok(report.full_network.latency_ms < cumulative[2]);
  assert.match(report.on_device_inference, /not supported by this board's runner/);

  const human = runCli(['bench-eenn', dir, '--board', 'nucleo-l4r5zi', '--simulate', '--samples', '16']);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /expected latency [\d.]+ ms \(p50/);
  assert.match(human.stdout, /simulated/);
  assert.match(human.stdout, /per-sample on-device early-exit inference: not supported/);
});

test('bench-eenn refuses a missing folder, a single-exit net, a net without weights and an unknown board in one line with exit code 2', () => {
  const single = mkdtempSync(join(tmpdir(), 'cnas-bench-eenn-single-'));
  writeFileSync(join(single, 'net.subnet'), JSON.stringify({ ks: CONFIG.ks, e: CONFIG.e, d: CONFIG.d }));
  writeFileSync(join(single, 'run.json'), JSON.stringify({ ...RUN, search_space: 'mobilenetv3', trainer_type: 'single_exit' }));
  const untrained = mkdtempSync(join(tmpdir(), 'cnas-bench-eenn-untrained-'));
  writeFileSync(join(untrained, 'net.subnet'), JSON.stringify(CONFIG));
  writeFileSync(join(untrained, 'run.json'), JSON.stringify(RUN));
  mkdirSync(join(untrained, 'trained'));
  const cases: [string[], RegExp][] = [
    [[join(single, 'nothing')], /no such directory/],
    [[single], /not an early-exit network/],
    [[untrained], /no trained\/ or ckpt\/ weights/],
    [[dir, '--board', 'no-such-board'], /--board: .*no-such-board/],
  ];
  for (const [args, message] of cases) {
    const r = runCli(['bench-eenn', ...args, ...(args.includes('--board') ? [] : ['--board', 'nucleo-l4r5zi']), '--simulate']);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
