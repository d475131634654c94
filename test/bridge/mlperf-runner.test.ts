import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BoardUnresponsiveError } from '../../agent/errors.ts';
import { mlperfRunnerFactory } from '../../agent/mlperf-runner-factory.ts';
import { MlperfRunner } from '../../agent/mlperf-runner.ts';
import { isCacheable } from '../../src/measure/cache.ts';
import { DEFAULT_MEASURE_SETTINGS } from '../../src/measure/measurement.ts';
import type { Measurement } from '../../src/measure/measurement.ts';
import { profileById } from '../../src/measure/profiles/load.ts';
import { MeasurementSchema } from '../../src/protocol/measurement-schema.ts';
import { defaultCostSettings } from '../../src/search/evaluators/analytic.ts';
import { MeasuredEvaluator } from '../../src/search/evaluators/measured.ts';
import { SyntheticEvaluator } from '../../src/search/evaluators/synthetic.ts';
import { loadSpace } from '../../src/space/load-space.ts';
import { FakeMlperfDut } from './fake-mlperf-dut.ts';
import type { FakeDutOptions } from './fake-mlperf-dut.ts';

const profile = profileById('nucleo-l4r5zi');

function runnerOn(dut: FakeMlperfDut, extra: { inputBytes?: number } = {}): MlperfRunner {
  return new MlperfRunner({ name: 'l4r5-mlperf', profile, open: async () => dut, commandTimeoutMs: 50, inferTimeoutMs: 50, ...extra });
}

function measureOnce(options: FakeDutOptions, timedRuns: number): Promise<{ m: Measurement; dut: FakeMlperfDut }> {
  const dut = new FakeMlperfDut(options);
  return runnerOn(dut)
    .measure(new Uint8Array([1, 2, 3]), { ...DEFAULT_MEASURE_SETTINGS, timedRuns, warmupRuns: 3 })
    .then((m) => ({ m, dut }));
}

test('the mlperf runner times the built-in model as the median of 5 infer windows, and says it was the built-in model', async () => {
  const { m, dut } = await measureOnce({ model: 'ic01', usPerInference: 2500 }, 10);
  assert.ok(m.ok);
  assert.deepEqual(dut.commands.filter((c) => c.startsWith('infer')), new Array(5).fill('infer 2 3'));
  assert.equal(dut.dbBuffer.length, 32 * 32 * 3, 'the ic01 input was loaded');
  assert.deepEqual(m.latency.runs_ms, [2.5, 2.5, 2.5, 2.5, 2.5]);
  assert.equal(m.latency.median_ms, 2.5);
  assert.equal(m.provenance.model, 'builtin');
  assert.equal(m.provenance.simulated, false);
  assert.equal(m.provenance.firmware, 'ULPMark for tinyML Firmware V0.0.1');
  assert.match(m.provenance.runtime, /built-in ic01/);
  assert.equal(m.arena.bytes, 0);
  assert.equal(m.flash_bytes, 0);
  assert.ok(MeasurementSchema.safeParse(m).success, 'the marked measurement crosses the wire');
  assert.equal(isCacheable(m), false, 'never cached under the job model\'s hash');
});

test('fewer than 5 timed runs make one window; an unknown built-in model keeps the firmware\'s input', async () => {
  const { m, dut } = await measureOnce({ model: 'mystery01' }, 3);
  assert.ok(m.ok);
  assert.deepEqual(dut.commands.filter((c) => c.startsWith('infer')), ['infer 3 3']);
  assert.equal(dut.commands.some((c) => c.startsWith('db')), false);
  assert.match(m.provenance.runtime, /input as the firmware holds it/);
});

test('a board error is a failed measurement; silence is an unresponsive board', async () => {
  const { m } = await measureOnce({ hangAfterErrorOn: 'infer' }, 5);
  assert.ok(!m.ok);
  assert.equal(m.reason, 'board_error');
  assert.match(m.message, /infer went wrong/);
  await assert.rejects(measureOnce({ silentOn: ['infer'] }, 5), BoardUnresponsiveError);
  await assert.rejects(measureOnce({ silentOn: ['profile'] }, 5), BoardUnresponsiveError);
});

test('a search refuses a measurement of a board\'s built-in model', async () => {
  const space = loadSpace('mobilenetv3', { widthMult: 0.35, lr: 64, ur: 64, rstep: 4 });
  const cost = defaultCostSettings(space, 10);
  const runner = runnerOn(new FakeMlperfDut({ model: 'ic01' }));
  const evaluator = new MeasuredEvaluator(new SyntheticEvaluator(space, cost), space, cost, (model) => runner.measure(model, DEFAULT_MEASURE_SETTINGS), {
    boards: ['nucleo-l4r5zi'],
    agg: 'max',
    seed: 0,
    calibrationImages: 2,
  });
  const config = { ks: new Array(20).fill(3), e: new Array(20).fill(3), d: [2, 2, 2, 2, 2], r: 64 };
  const [outcome] = await evaluator.evaluate([{ config, dir: join(mkdtempSync(join(tmpdir(), 'cnas-mlperf-')), 'net_0'), iteration: 0, index: 0, alphaNorm: 1 }]);
  assert.ok(!outcome.ok);
  assert.match(outcome.reason, /built-in model, not the candidate/);
});

test('the mlperf runner kind needs a port and checks its options', async () => {
  await assert.rejects(() => Promise.resolve(mlperfRunnerFactory({ name: 'b', profile: 'nucleo-l4r5zi', runner: 'mlperf' })), /options\.port/);
  await assert.rejects(() => Promise.resolve(mlperfRunnerFactory({ name: 'b', profile: 'nucleo-l4r5zi', runner: 'mlperf', options: { port: '/dev/x', baud: -1 } })), /options\.baud/);
  const runner = await mlperfRunnerFactory({ name: 'b', profile: 'nucleo-l4r5zi', runner: 'mlperf', options: { port: '/dev/does-not-exist' } });
  assert.equal(runner.profile, 'nucleo-l4r5zi');
});
