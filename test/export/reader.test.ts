import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Builder } from 'flatbuffers';
import { buildFloatModel } from '../../src/export/build-float.ts';
import { calibrate } from '../../src/export/calibrate.ts';
import { FlatReader } from '../../src/export/flat-reader.ts';
import type { ModelSpec } from '../../src/export/model-spec.ts';
import { operatorVersion } from '../../src/export/op-version.ts';
import { quantizeModel } from '../../src/export/quantize.ts';
import { readTflite } from '../../src/export/reader.ts';
import { OPERATOR_CODES } from '../../src/export/schema.ts';
import { writeTflite } from '../../src/export/write-model.ts';
import { writeBuffer, writeModelTable, writeOperator, writeSubGraph, writeTensor } from '../../src/export/write-tables.ts';
import { normalImages, randomWeights, sampledGraph } from './fixtures.ts';

const graph = sampledGraph('eemobilenetv3', 11, 32);
const float = buildFloatModel(graph, randomWeights(graph, 1), { softmax: true });
const int8 = quantizeModel(float, calibrate(float, normalImages(2, 32, 3)), { io: 'float' });

function roundTrip(spec: ModelSpec): void {
  const bytes = writeTflite(spec);
  const file = readTflite(bytes);
  assert.equal(file.version, 3);
  assert.equal(String.fromCharCode(...bytes.subarray(4, 8)), 'TFL3');
  assert.equal(file.subgraphs.length, 1);
  const g = file.subgraphs[0];
  assert.deepEqual(g.inputs, spec.inputs);
  assert.deepEqual(g.outputs, spec.outputs);
  assert.equal(g.tensors.length, spec.tensors.length);
  spec.tensors.forEach((t, i) => {
    const r = g.tensors[i];
    assert.equal(r.name, t.name);
    assert.deepEqual(r.shape, t.shape);
    assert.equal(r.type, t.type);
    if (t.data === undefined) {
      assert.equal(r.buffer, 0, `${t.name} is an activation and points at the sentinel`);
      assert.equal(r.data, undefined);
    } else {
      assert.deepEqual(r.data, t.data, t.name);
      assert.equal(r.data!.byteOffset % 16, 0, `${t.name} data is 16-byte aligned`);
    }
    if (t.quant === undefined) assert.equal(r.quant, undefined);
    else {
      assert.deepEqual(r.quant!.scale, t.quant.scale.map(Math.fround), t.name);
      assert.deepEqual(r.quant!.zeroPoint, t.quant.zeroPoint);
      assert.equal(r.quant!.quantizedDimension, t.quant.quantizedDimension);
    }
  });
  assert.equal(g.operators.length, spec.operators.length);
  spec.operators.forEach((op, k) => {
    const r = g.operators[k];
    assert.equal(r.op, op.op);
    assert.equal(r.code, OPERATOR_CODES[op.op]);
    assert.equal(r.version, operatorVersion(op, spec));
    assert.deepEqual(r.inputs, op.inputs);
    assert.deepEqual(r.outputs, op.outputs);
    assert.deepEqual(r.options, op.options, `${op.op} options`);
  });
}

test('float model round trip: tensors, shapes, data, opcodes, options, versions', () => roundTrip(float));

test('int8 model round trip: quantisation parameters, int8/int32 data, QUANTIZE/DEQUANTIZE', () => {
  roundTrip(int8);
  const g = readTflite(writeTflite(int8)).subgraphs[0];
  const versions = new Map(g.operators.map((o) => [o.op, o.version]));
  assert.deepEqual(
    ['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'ADD', 'MEAN', 'PAD', 'RESHAPE', 'HARD_SWISH', 'QUANTIZE', 'DEQUANTIZE', 'SOFTMAX', 'MAX_POOL_2D'].map((op) => [op, versions.get(op)]),
    [['CONV_2D', 3], ['DEPTHWISE_CONV_2D', 3], ['FULLY_CONNECTED', 4], ['ADD', 2], ['MEAN', 2], ['PAD', 2], ['RESHAPE', 1], ['HARD_SWISH', 1], ['QUANTIZE', 1], ['DEQUANTIZE', 2], ['SOFTMAX', 2], ['MAX_POOL_2D', 2]],
  );
  assert.ok([2, 3].includes(versions.get('MUL')!));
  for (const op of readTflite(writeTflite(float)).subgraphs[0].operators) assert.equal(op.version, 1, `float ${op.op}`);
});

test('file layout: buffer 0 empty, both opcode fields set, no shape_signature', () => {
  const bytes = writeTflite(int8);
  const r = new FlatReader(bytes);
  const model = r.table(r.deref(0, 'root'), 'model');
  const buffers = model.tables(4, 'buffers');
  assert.equal(buffers[0].has(0), false, 'sentinel buffer has no data');
  for (const code of model.tables(1, 'operator_codes')) {
    const builtin = code.i32(3, 0);
    assert.equal(code.i8(0, 0), Math.min(builtin, 127));
  }
  const tensors = model.tables(2, 'subgraphs')[0].tables(0, 'tensors');
  assert.ok(tensors.every((t) => !t.has(7)));
});

test('opcodes: the reader takes max(deprecated_builtin_code, builtin_code), as old files set only the first', () => {
  const b = new Builder(256);
  const buffer = writeBuffer(b, undefined);
  const tensors = [writeTensor(b, { name: 'x', shape: [1, 2], type: 'float32' }, 0), writeTensor(b, { name: 'y', shape: [1, 2], type: 'float32' }, 0)];
  const op = writeOperator(b, { op: 'RELU', inputs: [0], outputs: [1] }, 0);
  b.startObject(4);
  b.addFieldInt8(0, OPERATOR_CODES.RELU, 0); // deprecated field only, builtin_code left at its default 0 (ADD)
  const code = b.endObject();
  const subgraph = writeSubGraph(b, { tensors, inputs: [0], outputs: [1], operators: [op], name: 'old' });
  b.finish(writeModelTable(b, { version: 3, operatorCodes: [code], subgraphs: [subgraph], description: '', buffers: [buffer] }), 'TFL3');
  const file = readTflite(b.asUint8Array());
  assert.equal(file.subgraphs[0].operators[0].op, 'RELU');
});
