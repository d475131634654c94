import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFloatModel } from '../../src/export/build-float.ts';
import { calibrate } from '../../src/export/calibrate.ts';
import { quantizeModel } from '../../src/export/quantize.ts';
import { writeTflite } from '../../src/export/write-model.ts';
import type { NetGraph } from '../../src/graph/types.ts';
import { DEFAULT_MEASURE_SETTINGS } from '../../src/measure/measurement.ts';
import type { Measurement, MeasurementOk } from '../../src/measure/measurement.ts';
import { profileById, loadProfiles } from '../../src/measure/profiles/load.ts';
import { predictLatencyMs } from '../../src/measure/simulator/cost-model.ts';
import { supportsOperator } from '../../src/measure/simulator/operators.ts';
import { dsCnn, mobilenetV1Quarter, resnet8 } from '../../src/measure/simulator/reference-nets.ts';
import { SimulatedRunner } from '../../src/measure/simulator/simulated-runner.ts';
import { paramLayout } from '../../src/nn/model/params.ts';
import { loadSpace } from '../../src/space/load-space.ts';
import { realise } from '../../src/space/realise.ts';
import { Prng } from '../../src/util/prng.ts';

const profiles = loadProfiles();
const board = (id: string) => profileById(id, profiles);
const settings = { ...DEFAULT_MEASURE_SETTINGS, timedRuns: 20 };

/** An int8 .tflite of a width-`width` MobileNetV3 with every block at kernel `ks`, expand `e`. */
function int8Model(width: number, resolution: number, ks: number, e: number, d = 2): Uint8Array {
  const space = loadSpace('mobilenetv3', { widthMult: width });
  const blocks = 5 * d;
  const graph: NetGraph = realise(space, { ks: Array(blocks).fill(ks), e: Array(blocks).fill(e), d: Array(5).fill(d), r: resolution }, { resolution, classes: 10 });
  const rng = new Prng(1);
  const weights = new Map(
    paramLayout(graph).map((s) => {
      const size = s.shape.reduce((a, b) => a * b, 1);
      const positive = s.role === 'bn.running_var' || s.role === 'bn.weight';
      return [s.name, Float32Array.from({ length: size }, () => (positive ? 0.5 + rng.next() : 0.3 * rng.normal()))];
    }),
  );
  const float = buildFloatModel(graph, weights);
  const images = Float32Array.from({ length: 2 * resolution * resolution * 3 }, () => rng.normal());
  return writeTflite(quantizeModel(float, calibrate(float, images), { io: 'int8' }));
}

const small = int8Model(0.35, 64, 3, 3);
const large = int8Model(0.35, 96, 7, 6);
const wide = int8Model(1.0, 224, 7, 6, 4);

function ok(m: Measurement): MeasurementOk {
  assert.ok(m.ok, m.ok ? '' : `${m.reason}: ${m.message}`);
  return m;
}

test('the simulator is deterministic by default and says it is a simulator', async () => {
  const fixed = () => new Date('2025-01-01T00:00:00Z');
  const a = ok(await new SimulatedRunner(board('nucleo-l4r5zi'), { now: fixed }).measure(small, settings));
  const b = ok(await new SimulatedRunner(board('nucleo-l4r5zi'), { now: fixed }).measure(small, settings));
  assert.deepEqual(a, b);
  assert.equal(a.latency.runs_ms.length, 20);
  assert.ok(a.latency.runs_ms.every((r) => r === a.latency.median_ms) && a.latency.p90_ms === a.latency.median_ms);
  assert.equal(a.provenance.simulated, true);
  assert.equal(a.provenance.runtime, 'simulator/cmsis-nn');
  assert.equal(a.provenance.profile, 'nucleo-l4r5zi');
  assert.ok(a.macs > 0 && a.params > 0 && a.flash_bytes > small.length && a.arena.bytes > 0);
  assert.equal(a.arena.bytes, a.arena.persistent_bytes! + a.arena.non_persistent_bytes!);
});

test('latency grows with MACs on a board, and the H743 beats the L4R5 on the same model', async () => {
  const l4 = new SimulatedRunner(board('nucleo-l4r5zi'));
  const s = ok(await l4.measure(small, settings));
  const l = ok(await l4.measure(large, settings));
  assert.ok(l.macs > s.macs);
  assert.ok(l.latency.median_ms > s.latency.median_ms, `${l.latency.median_ms} vs ${s.latency.median_ms}`);
  const h7 = ok(await new SimulatedRunner(board('nucleo-h743zi2')).measure(large, settings));
  assert.ok(h7.latency.median_ms < l.latency.median_ms / 3, `H743 ${h7.latency.median_ms} ms vs L4R5 ${l.latency.median_ms} ms`);
});

test('the calibrated L4R5 profile predicts the MLPerf Tiny models within a factor of 2', () => {
  // CMSIS-NN-based MLPerf Tiny results on the L4R5 (microTVM BYOC, ONNC) span these ranges (ms).
  const p = board('nucleo-l4r5zi');
  for (const [net, lo, hi] of [[resnet8(), 296, 390], [dsCnn(), 82, 100], [mobilenetV1Quarter(), 172, 301]] as const) {
    const ms = predictLatencyMs(net, p.simulator, p.clockMhz);
    assert.ok(ms > lo / 2 && ms < hi * 2, `${ms} ms not within [${lo / 2}, ${hi * 2}]`);
  }
});

test('a wide network overflows the small boards with needed vs available bytes', async () => {
  const pico = await new SimulatedRunner(board('rpi-pico')).measure(wide, settings);
  assert.equal(pico.ok, false);
  assert.ok(!pico.ok && (pico.reason === 'flash_overflow' || pico.reason === 'arena_overflow'));
  const nano = await new SimulatedRunner(board('arduino-nano-33-ble-sense')).measure(wide, settings);
  assert.ok(!nano.ok && nano.reason === 'flash_overflow' && /needs \d+ bytes of flash .* 1048576 available/.test(nano.message), nano.ok ? '' : nano.message);
  // A model whose weights fit but whose activations do not: the arena is reported
  const tall = int8Model(0.35, 224, 3, 3);
  const m = await new SimulatedRunner(board('arduino-nano-33-ble-sense')).measure(tall, settings);
  assert.ok(!m.ok && m.reason === 'arena_overflow' && /needs \d+ bytes of arena .* 184320 available/.test(m.message), m.ok ? '' : m.message);
  // The Linux board runs it
  ok(await new SimulatedRunner(board('rpi4')).measure(wide, settings));
});

test('an unreadable model is invalid_model; only custom and unknown operators are unsupported', async () => {
  const r = new SimulatedRunner(board('nucleo-l4r5zi'));
  const bad = await r.measure(new Uint8Array(16), settings);
  assert.ok(!bad.ok && bad.reason === 'invalid_model');
  // The exporter writes only operators every runtime has, so the support table is checked directly.
  assert.equal(supportsOperator('cmsis-nn', 'CUSTOM:TFLite_Detection_PostProcess'), false);
  assert.equal(supportsOperator('cmsis-nn', 'BUILTIN_150'), false);
  assert.equal(supportsOperator('tflite-xnnpack', 'BUILTIN_150'), true);
  assert.equal(supportsOperator('esp-nn', 'HARD_SWISH'), true);
});

test('seeded noise: same seed same runs, another seed other runs, spread near the requested sigma', async () => {
  const make = (seed: number) => new SimulatedRunner(board('esp32-s3-devkitc-1'), { noise: 0.1, seed, now: () => new Date(0) });
  const many = { ...settings, timedRuns: 400 };
  const a = ok(await make(7).measure(small, many));
  const b = ok(await make(7).measure(small, many));
  const c = ok(await make(8).measure(small, many));
  assert.deepEqual(a.latency.runs_ms, b.latency.runs_ms);
  assert.notDeepEqual(a.latency.runs_ms, c.latency.runs_ms);
  const mean = a.latency.runs_ms.reduce((s, x) => s + x, 0) / 400;
  const sd = Math.sqrt(a.latency.runs_ms.reduce((s, x) => s + (x - mean) ** 2, 0) / 399);
  const base = ok(await new SimulatedRunner(board('esp32-s3-devkitc-1')).measure(small, settings)).latency.median_ms;
  assert.ok(Math.abs(mean / base - 1) < 0.03, `mean ${mean} vs ${base}`);
  assert.ok(Math.abs(sd / base - 0.1) < 0.02, `relative sd ${sd / base}`);
  assert.ok(a.latency.p90_ms > a.latency.median_ms);
});

test('fault injection: the failure rate follows the probabilities and repeats for a seed', async () => {
  const run = async (seed: number) => {
    const r = new SimulatedRunner(board('rpi-pico'), { seed, faults: { timeoutProbability: 0.2, boardErrorProbability: 0.1 } });
    const out: string[] = [];
    for (let i = 0; i < 300; i++) {
      const m = await r.measure(small, settings);
      out.push(m.ok ? 'ok' : m.reason);
    }
    return out;
  };
  const a = await run(3);
  assert.deepEqual(await run(3), a);
  const count = (r: string) => a.filter((x) => x === r).length;
  assert.ok(Math.abs(count('timeout') / 300 - 0.2) < 0.07, `timeouts ${count('timeout')}`);
  assert.ok(Math.abs(count('board_error') / 300 - 0.1) < 0.05, `board errors ${count('board_error')}`);
  assert.equal(count('ok') + count('timeout') + count('board_error'), 300);
  assert.throws(() => new SimulatedRunner(board('rpi-pico'), { faults: { timeoutProbability: 1.5 } }), RangeError);
});

test('a hung board answers timeout after the hang, or never', async () => {
  const start = Date.now();
  const m = await new SimulatedRunner(board('rpi-pico'), { faults: { hangMs: 30 } }).measure(small, settings);
  assert.ok(!m.ok && m.reason === 'timeout');
  assert.ok(Date.now() - start >= 25);
  const never = new SimulatedRunner(board('rpi-pico'), { faults: { hangMs: Infinity } }).measure(small, settings);
  const raced = await Promise.race([never, new Promise<'deadline'>((resolve) => setTimeout(() => resolve('deadline'), 20))]);
  assert.equal(raced, 'deadline');
});

test('energy = active power x latency where the profile has power, absent otherwise', async () => {
  const nano = board('arduino-nano-33-ble-sense');
  const m = ok(await new SimulatedRunner(nano).measure(small, settings));
  assert.ok(nano.power !== undefined);
  assert.ok(Math.abs(m.energy_mj! - (nano.power.activeMw * m.latency.median_ms) / 1000) < 1e-12);
  const l4 = ok(await new SimulatedRunner(board('nucleo-l4r5zi')).measure(small, settings));
  assert.equal(l4.energy_mj, undefined);
});
