import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Builder } from 'flatbuffers';
import { tfliteRunnerFactory } from '../../agent/tflite-runner-factory.ts';
import { makeInputs, TfliteRunner } from '../../agent/tflite-runner.ts';
import { calibrationRanges, exportTflite } from '../../src/export/export-model.ts';
import { writeBuffer, writeModelTable, writeOperator, writeOperatorCode, writeSubGraph, writeTensor } from '../../src/export/write-tables.ts';
import { DEFAULT_MEASURE_SETTINGS } from '../../src/measure/measurement.ts';
import type { Measurement, MeasurementOk } from '../../src/measure/measurement.ts';
import { normalImages, randomWeights, sampledGraph } from '../export/fixtures.ts';

const graph = sampledGraph('mobilenetv3', 3, 32);
const weights = randomWeights(graph, 1);
const int8Model = exportTflite(graph, weights, { int8: { ranges: calibrationRanges(graph, weights, normalImages(2, 32, 2)), io: 'int8' } });
const settings = { ...DEFAULT_MEASURE_SETTINGS, warmupRuns: 2, timedRuns: 7 };

function ok(m: Measurement): MeasurementOk {
  assert.ok(m.ok, m.ok ? '' : `${m.reason}: ${m.message}`);
  return m;
}

/** A one-RELU model whose operator version no runtime has: readable, but without a kernel. */
function unknownVersionModel(): Uint8Array {
  const b = new Builder(256);
  const buffer = writeBuffer(b, undefined);
  const tensors = [writeTensor(b, { name: 'x', shape: [1, 4], type: 'float32' }, 0), writeTensor(b, { name: 'y', shape: [1, 4], type: 'float32' }, 0)];
  const op = writeOperator(b, { op: 'RELU', inputs: [0], outputs: [1] }, 0);
  const code = writeOperatorCode(b, 'RELU', 99);
  const subgraph = writeSubGraph(b, { tensors, inputs: [0], outputs: [1], operators: [op], name: 'main' });
  b.finish(writeModelTable(b, { version: 3, operatorCodes: [code], subgraphs: [subgraph], description: '', buffers: [buffer] }), 'TFL3');
  return b.asUint8Array();
}

test('the tflite runner measures a real int8 model in the reference runtime', async () => {
  const runner = new TfliteRunner({ name: 'host-0', profile: 'host-cpu' });
  for (const inputPolicy of ['random', 'zeros'] as const) {
    const m = ok(await runner.measure(int8Model, { ...settings, inputPolicy }));
    assert.equal(m.latency.runs_ms.length, 7);
    assert.ok(m.latency.runs_ms.every((r) => r > 0));
    assert.ok(m.latency.median_ms > 0 && m.latency.p90_ms >= m.latency.median_ms);
    assert.equal(m.flash_bytes, int8Model.length);
    assert.ok(m.arena.bytes >= 0);
    assert.ok(m.macs > 0 && m.params > 0);
    assert.equal(m.provenance.simulated, false);
    assert.equal(m.provenance.model, undefined, 'the job\'s own model was measured');
    assert.match(m.provenance.runtime, /^tfjs-tflite \S+ \(XNNPACK, 1 thread\)$/);
    assert.equal(m.provenance.firmware, `node ${process.versions.node}`);
  }
});

test('a model the runtime cannot use is a failed measurement, not an exception', async () => {
  const runner = new TfliteRunner({ name: 'host-0', profile: 'host-cpu' });
  const garbage = await runner.measure(Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff), settings);
  assert.equal(garbage.ok, false);
  assert.equal(!garbage.ok && garbage.reason, 'invalid_model');
  assert.equal(garbage.provenance.simulated, false);

  const unknownOp = await runner.measure(unknownVersionModel(), settings);
  assert.ok(!unknownOp.ok);
  assert.equal(unknownOp.reason, 'unsupported_operator', unknownOp.message);
  assert.match(unknownOp.message, /RELU/);
});

test('inputs follow the input policy: zeros, or seeded values over the whole int8 range', () => {
  const input = { name: 'x', shape: [1, 64, 64, 3], type: 'int8' as const };
  assert.ok(makeInputs([input], { ...settings, inputPolicy: 'zeros' })[0].every((v) => v === 0));
  const [a] = makeInputs([input], { ...settings, inputPolicy: 'random', seed: 5 });
  assert.deepEqual(makeInputs([input], { ...settings, inputPolicy: 'random', seed: 5 })[0], a);
  assert.notDeepEqual(makeInputs([input], { ...settings, inputPolicy: 'random', seed: 6 })[0], a);
  assert.ok(a.every((v) => Number.isInteger(v) && v >= -128 && v <= 127));
  assert.equal(Math.min(...a), -128);
  assert.equal(Math.max(...a), 127);
});

test('the tflite runner kind is for the agent\'s own machine, on one thread', async () => {
  const runner = await tfliteRunnerFactory({ name: 'pi', profile: 'rpi4', runner: 'tflite' });
  assert.equal(runner.profile, 'rpi4');
  await assert.rejects(() => Promise.resolve(tfliteRunnerFactory({ name: 'pi', profile: 'rpi4', runner: 'tflite', options: { threads: 4 } })), /single-threaded/);
  await assert.rejects(() => Promise.resolve(tfliteRunnerFactory({ name: 'n', profile: 'nucleo-l4r5zi', runner: 'tflite' })), /serial link/);
});
