import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Builder } from 'flatbuffers';
import { buildFloatModel } from '../../src/export/build-float.ts';
import { calibrate } from '../../src/export/calibrate.ts';
import { modelStats } from '../../src/export/model-stats.ts';
import type { ModelSpec } from '../../src/export/model-spec.ts';
import { quantizeModel } from '../../src/export/quantize.ts';
import { readTflite, TfliteReadError } from '../../src/export/reader.ts';
import { writeTflite } from '../../src/export/write-model.ts';
import { writeBuffer, writeModelTable, writeSubGraph, writeTensor } from '../../src/export/write-tables.ts';
import { int32Vector, offsetVector } from '../../src/export/write-vectors.ts';
import { Prng } from '../../src/util/prng.ts';
import { normalImages, randomWeights, sampledGraph } from './fixtures.ts';

const graph = sampledGraph('mobilenetv3', 21, 32);
const float = buildFloatModel(graph, randomWeights(graph, 2));
const bytes = writeTflite(quantizeModel(float, calibrate(float, normalImages(1, 32, 4)), { io: 'int8' }));
/** Flatbuffers build back to front, so the tables precede the constant data; corrupting there exercises the reader. */
const metadataEnd = Math.min(...readTflite(bytes).subgraphs[0].tensors.filter((t) => t.data).map((t) => t.data!.byteOffset));

/** Parses and analyses; anything but success or TfliteReadError fails the test. */
function readOrRefuse(data: Uint8Array, what: string): 'ok' | 'refused' {
  try {
    modelStats(readTflite(data));
    return 'ok';
  } catch (err) {
    if (err instanceof TfliteReadError) return 'refused';
    throw new Error(`${what}: ${(err as Error).stack}`);
  }
}

test('every truncation is refused with TfliteReadError', () => {
  const cuts = new Set<number>();
  for (let n = 0; n < 64; n++) cuts.add(n);
  for (let k = 0; k < 300; k++) cuts.add(Math.floor((k / 300) * bytes.length));
  for (let n = 1; n < 32; n++) cuts.add(bytes.length - n);
  const started = performance.now();
  for (const cut of cuts) assert.equal(readOrRefuse(bytes.slice(0, cut), `cut at ${cut}`), 'refused', `cut at ${cut} of ${bytes.length}`);
  assert.ok(performance.now() - started < 10_000);
});

test('randomly corrupted bytes are read or refused with TfliteReadError, quickly', () => {
  const rng = new Prng(7);
  const outcomes = { ok: 0, refused: 0 };
  for (let trial = 0; trial < 400; trial++) {
    const data = bytes.slice();
    const flips = 1 + rng.int(8);
    for (let f = 0; f < flips; f++) data[rng.int(metadataEnd)] = rng.int(256);
    const started = performance.now();
    outcomes[readOrRefuse(data, `trial ${trial}`)]++;
    assert.ok(performance.now() - started < 1000, `trial ${trial} took too long`);
  }
  assert.ok(outcomes.refused > 50, `most corruptions of the tables are caught (${JSON.stringify(outcomes)})`);
});

function refusal(data: Uint8Array): string {
  try {
    readTflite(data);
  } catch (err) {
    assert.ok(err instanceof TfliteReadError, String(err));
    return err.message;
  }
  return 'accepted';
}

test('hostile files: aliased vectors, huge lengths, bad offsets, bad indices, cycles', () => {
  // 60k tensor entries aliasing one tensor whose shape has 2000 dims: 120M elements from a 250 kB file
  const b = new Builder(1024);
  const buffer = writeBuffer(b, undefined);
  const shape = int32Vector(b, new Array(2000).fill(1));
  b.startObject(11);
  b.addFieldOffset(0, shape, 0);
  const tensor = b.endObject();
  const tensors = offsetVector(b, new Array(60_000).fill(tensor));
  b.startObject(5);
  b.addFieldOffset(0, tensors, 0);
  const subgraph = b.endObject();
  b.finish(writeModelTable(b, { version: 3, operatorCodes: [], subgraphs: [subgraph], description: '', buffers: [buffer] }), 'TFL3');
  const started = performance.now();
  assert.match(refusal(b.asUint8Array()), /far more data than it holds/);
  assert.ok(performance.now() - started < 2000);

  const view = (data: Uint8Array) => new DataView(data.buffer, data.byteOffset, data.byteLength);
  const badRoot = bytes.slice();
  view(badRoot).setUint32(0, bytes.length + 100, true);
  assert.match(refusal(badRoot), /outside the .*-byte file/);
  assert.match(refusal(new TextEncoder().encode('\x18\x00\x00\x00TFL2 not a model')), /file identifier "TFL2"/);
  assert.match(refusal(bytes.subarray(0, 6)), /shorter than a flatbuffer header/);

  const tiny = (spec: Partial<ModelSpec>): Uint8Array => {
    const m = new Builder(256);
    const buf = writeBuffer(m, undefined);
    const ts = [writeTensor(m, { name: 'a', shape: [1, 4], type: 'float32' }, 0), writeTensor(m, { name: 'b', shape: [1, 4], type: 'float32' }, 0)];
    const ops = (spec.operators ?? []).map((op) => {
      const inputs = int32Vector(m, op.inputs);
      const outputs = int32Vector(m, op.outputs);
      m.startObject(5);
      m.addFieldInt32(0, 0, 0);
      m.addFieldOffset(1, inputs, 0);
      m.addFieldOffset(2, outputs, 0);
      return m.endObject();
    });
    m.startObject(4);
    m.addFieldInt8(0, 19, 0);
    m.addFieldInt32(3, 19, 0);
    const code = m.endObject();
    const sg = writeSubGraph(m, { tensors: ts, inputs: spec.inputs ?? [0], outputs: spec.outputs ?? [1], operators: ops, name: '' });
    m.finish(writeModelTable(m, { version: 3, operatorCodes: [code], subgraphs: [sg], description: '', buffers: [buf] }), 'TFL3');
    return m.asUint8Array();
  };
  assert.equal(refusal(tiny({ operators: [{ op: 'RELU', inputs: [0], outputs: [1] }] })), 'accepted');
  assert.match(refusal(tiny({ operators: [{ op: 'RELU', inputs: [7], outputs: [1] }] })), /input tensor 7 out of range/);
  assert.match(refusal(tiny({ outputs: [9] })), /tensor 9 out of range/);
  assert.match(refusal(tiny({ operators: [{ op: 'RELU', inputs: [1], outputs: [1] }] })), /reads tensor 1 \("b"\) before it is written/);
  assert.match(
    refusal(
      tiny({
        operators: [
          { op: 'RELU', inputs: [0], outputs: [1] },
          { op: 'RELU', inputs: [0], outputs: [1] },
        ],
      }),
    ),
    /writes tensor 1 \("b"\), which is already defined/,
  );

  // the tensors vector of the real model claims 2^31 entries
  const g = readTflite(bytes);
  assert.ok(g.subgraphs[0].tensors.length > 10);
  const huge = bytes.slice();
  const dv = view(huge);
  const needle = g.subgraphs[0].tensors.length;
  for (let p = 0; p + 4 <= metadataEnd; p += 4) {
    if (dv.getUint32(p, true) === needle) dv.setUint32(p, 0x7fffffff, true);
  }
  assert.match(refusal(huge), /does not fit in the file|out of range/);
});
