import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { EennBenchReport } from '../../host/hil/bench-eenn.ts';
import { initWasmBackend } from '../../src/nn/backend/wasm-setup.ts';
import { serialBoard } from '../bridge/serial-board.ts';
import { runCli } from '../host/cli-helpers.ts';
import { trainedEennDir } from './eenn-fixture.ts';

// `cnas bench-eenn --port` against the host build of the firmware on a socat pty: the stand-in runs the real
// segments' chain per sample (its exits and timings are made up, and the report must say so).

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const SAMPLES = 12;

async function cnas(args: string[]): Promise<EennBenchReport> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(root, 'host', 'cli.ts'), ...args], { cwd: root });
  return JSON.parse(stdout) as EennBenchReport;
}

let dir: string;
before(async () => {
  await initWasmBackend();
  dir = trainedEennDir();
});

test('bench-eenn --port runs every sample on the board: per-sample latencies and exits, device and host ratios, agreement', { timeout: 120_000 }, async (t) => {
  const { port } = await serialBoard(t, { boardId: 'nucleo-l4r5zi' });
  const r = await cnas(['bench-eenn', dir, '--port', port, '--samples', String(SAMPLES), '--json']);
  const d = r.on_device!;
  assert.ok(d, r.on_device_inference);
  assert.match(r.on_device_inference, /12 samples run on the board \(EE_INFER\)/);
  assert.equal(d.samples, SAMPLES);
  assert.equal(d.latency_ms.length, SAMPLES);
  assert.ok(d.latency_ms.every((l) => l > 0), `latencies ${d.latency_ms}`);
  assert.equal(d.exits_taken.length, SAMPLES);
  assert.ok(d.exits_taken.every((e) => Number.isInteger(e) && e >= 0 && e < 3));
  assert.ok(Math.abs(d.expected_latency_ms - d.latency_ms.reduce((a, b) => a + b, 0) / SAMPLES) < 1e-9);
  assert.ok(d.p50_ms <= d.p90_ms && d.p90_ms <= d.p99_ms);
  assert.equal(d.histogram.reduce((s, b) => s + b.count, 0), SAMPLES);
  for (const ratios of [d.exit_ratios.device, d.exit_ratios.host]) {
    assert.equal(ratios.length, 3);
    assert.ok(Math.abs(ratios.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  }
  assert.ok(d.agreement >= 0 && d.agreement <= 1);
  assert.deepEqual([d.real_backend, d.meaningful, r.simulated], [false, false, true]);
  assert.match(d.note, /NOT a real board/);
  assert.equal(d.slot_arena_bytes.length, 5);
  assert.equal(d.arena_bytes, d.slot_arena_bytes.reduce((a, b) => a + b, 0));
  assert.deepEqual(r.segments.map((s) => s.file), ['segment_0.tflite', 'exit_0.tflite', 'segment_1.tflite', 'exit_1.tflite', 'final.tflite']);
  assert.ok(r.segments.every((s) => s.latency_ms > 0));
  assert.ok(r.full_network.latency_ms > 0);
  assert.equal(r.board.profile, 'nucleo-l4r5zi');
});

test('bench-eenn --port falls back to per-segment measurement, saying why, when the segments do not fit the slots together', { timeout: 120_000 }, async (t) => {
  // each segment and the network without exits fit 600000 bytes; the five segments together do not
  const { port } = await serialBoard(t, { boardId: 'nucleo-l4r5zi', slotBytes: 600_000 });
  const r = await cnas(['bench-eenn', dir, '--port', port, '--samples', '8', '--json']);
  assert.equal(r.on_device, undefined);
  assert.match(r.on_device_inference, /not run, its 5 segments take \d+ bytes together and the board's model slot holds 600000; segments were measured one at a time/);
  assert.equal(r.exits.length, 3);
});

test('bench-eenn without --board or --port, with a port that does not exist, or --port mixed with --board: one line, exit 2', () => {
  const cases: [string[], RegExp][] = [
    [[], /give --board <selector> \(with --simulate or --hub\) or --port <serial device>/],
    [['--port', '/dev/ttyNOPE9'], /\/dev\/ttyNOPE9 does not exist/],
    [['--port', '/dev/ttyNOPE9', '--board', 'nucleo-l4r5zi'], /leave out --hub, --simulate and --board/],
    [['--board', 'nucleo-l4r5zi', '--simulate', '--profile', 'nucleo-l4r5zi'], /--profile and --baud go with --port/],
    [['--port'], /--port/],
  ];
  for (const [args, message] of cases) {
    const r = runCli(['bench-eenn', dir, '--samples', '4', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
