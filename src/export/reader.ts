import { FlatReader, TfliteReadError } from './flat-reader.ts';
import type { Table } from './flat-reader.ts';
import { elementCount } from './model-spec.ts';
import type { QuantParams, TensorSpec } from './model-spec.ts';
import { readOptions } from './read-options.ts';
import type { ReadOptions } from './read-options.ts';
import { FILE_IDENTIFIER, operatorName, tensorDataBytes, tensorTypeName } from './schema.ts';

export { TfliteReadError } from './flat-reader.ts';

export interface ReadQuant extends QuantParams {
  /** Calibration range some converters record (float min/max per slice). */
  min: number[];
  max: number[];
}

export interface ReadTensor extends TensorSpec {
  /** Index into the model's buffers; 0 is the empty sentinel. */
  buffer: number;
  isVariable: boolean;
  quant?: ReadQuant;
}

export interface ReadOperator {
  /** Builtin code: max(deprecated_builtin_code, builtin_code). */
  code: number;
  /** The schema's name, `BUILTIN_<code>` for codes this project does not name, `CUSTOM:<name>` for custom ops. */
  op: string;
  version: number;
  inputs: number[];
  outputs: number[];
  options?: ReadOptions;
}

export interface ReadSubgraph {
  name: string;
  tensors: ReadTensor[];
  inputs: number[];
  outputs: number[];
  operators: ReadOperator[];
}

export interface TfliteFile {
  version: number;
  description: string;
  subgraphs: ReadSubgraph[];
  buffers: number;
  byteLength: number;
}

const CUSTOM_CODE = 32;

interface OperatorCode {
  code: number;
  op: string;
  version: number;
}

function readOperatorCode(t: Table): OperatorCode {
  const code = Math.max(t.i8(0, 0), t.i32(3, 0));
  const custom = t.string(1);
  return { code, op: code === CUSTOM_CODE && custom !== '' ? `CUSTOM:${custom}` : operatorName(code), version: t.i32(2, 1) };
}

/** Buffer data: inline, or (for models over 2 GB) at an absolute offset after the flatbuffer. */
function readBuffer(t: Table, r: FlatReader): Uint8Array | undefined {
  const inline = t.bytes(0, `${t.what} data`);
  if (inline !== undefined && inline.length > 0) return inline;
  const offset = t.u64(1, 0);
  const size = t.u64(2, 0);
  if (offset <= 1 || size === 0) return undefined;
  r.need(offset, size, `${t.what} external data`);
  r.charge(size);
  return r.bytes.subarray(offset, offset + size);
}

function readQuant(t: Table): ReadQuant | undefined {
  const what = t.what;
  const scale = t.floats(2, `${what} scale`);
  const zeroPoint = t.longs(3, `${what} zero_point`);
  const min = t.floats(0, `${what} min`);
  const max = t.floats(1, `${what} max`);
  if (scale.length === 0 && min.length === 0) return undefined;
  if (zeroPoint.length !== 0 && zeroPoint.length !== scale.length) throw new TfliteReadError(`${what}: ${scale.length} scales but ${zeroPoint.length} zero points`);
  return { scale, zeroPoint: zeroPoint.length === 0 ? scale.map(() => 0) : zeroPoint, quantizedDimension: t.i32(6, 0), min, max };
}

function readTensor(t: Table, buffers: readonly (Uint8Array | undefined)[]): ReadTensor {
  const what = t.what;
  const shape = t.ints(0, `${what} shape`);
  const typeCode = t.i8(1, 0);
  const type = tensorTypeName(typeCode);
  if (type === undefined) throw new TfliteReadError(`${what}: unknown tensor type ${typeCode}`);
  const buffer = t.u32(2, 0);
  if (buffer >= buffers.length) throw new TfliteReadError(`${what}: buffer index ${buffer} out of range (${buffers.length} buffers)`);
  // -1 marks an unknown (dynamic) dimension in some converters' shapes; anything below is corrupt.
  if (shape.some((d) => d < -1)) throw new TfliteReadError(`${what}: negative dimension in shape [${shape}]`);
  const quantTable = t.table(4, `${what} quantization`);
  const quant = quantTable === undefined ? undefined : readQuant(quantTable);
  const data = buffers[buffer];
  const name = t.string(3);
  if (data !== undefined) {
    const expected = tensorDataBytes(type, elementCount(shape));
    if (expected !== undefined && expected !== data.length) throw new TfliteReadError(`tensor "${name}": buffer ${buffer} holds ${data.length} bytes, shape [${shape}] of ${type} needs ${expected}`);
  }
  return { name, shape, type, buffer, data, quant, isVariable: t.u8(5, 0) !== 0 };
}

function readOperator(t: Table, codes: readonly OperatorCode[], tensorCount: number): ReadOperator {
  const what = t.what;
  const index = t.u32(0, 0);
  if (index >= codes.length) throw new TfliteReadError(`${what}: opcode index ${index} out of range (${codes.length} operator codes)`);
  const inputs = t.ints(1, `${what} inputs`);
  const outputs = t.ints(2, `${what} outputs`);
  for (const i of inputs) if (i < -1 || i >= tensorCount) throw new TfliteReadError(`${what}: input tensor ${i} out of range (${tensorCount} tensors)`);
  for (const o of outputs) if (o < 0 || o >= tensorCount) throw new TfliteReadError(`${what}: output tensor ${o} out of range (${tensorCount} tensors)`);
  const optionsType = t.u8(3, 0);
  const optionsTable = optionsType === 0 ? undefined : t.table(4, `${what} options`);
  const { code, op, version } = codes[index];
  return { code, op, version, inputs, outputs, options: optionsTable === undefined ? undefined : readOptions(optionsType, optionsTable) };
}

/**
 * Refuses operator orders a runtime could not execute: a tensor read before it is defined (neither a
 * subgraph input, a constant, a variable nor an earlier operator's output; this includes cycles) or written
 * twice.
 */
function checkOrder(g: ReadSubgraph, what: string): void {
  const defined = new Set<number>(g.inputs);
  g.tensors.forEach((t, i) => (t.data !== undefined || t.isVariable) && defined.add(i));
  g.operators.forEach((op, k) => {
    for (const i of op.inputs) {
      if (i >= 0 && !defined.has(i)) throw new TfliteReadError(`${what} operator ${k} (${op.op}) reads tensor ${i} ("${g.tensors[i].name}") before it is written`);
    }
    for (const o of op.outputs) {
      if (defined.has(o) && !g.tensors[o].isVariable) throw new TfliteReadError(`${what} operator ${k} (${op.op}) writes tensor ${o} ("${g.tensors[o].name}"), which is already defined`);
      defined.add(o);
    }
  });
}

function readSubgraph(t: Table, codes: readonly OperatorCode[], buffers: readonly (Uint8Array | undefined)[]): ReadSubgraph {
  const what = t.what;
  const tensors = t.tables(0, `${what} tensors`).map((tt) => readTensor(tt, buffers));
  const inputs = t.ints(1, `${what} inputs`);
  const outputs = t.ints(2, `${what} outputs`);
  for (const i of [...inputs, ...outputs]) if (i < 0 || i >= tensors.length) throw new TfliteReadError(`${what}: input/output tensor ${i} out of range (${tensors.length} tensors)`);
  const operators = t.tables(3, `${what} operators`).map((ot) => readOperator(ot, codes, tensors.length));
  const g = { name: t.string(4), tensors, inputs, outputs, operators };
  checkOrder(g, what);
  return g;
}

/**
 * Parses a .tflite file (this project's or the official converter's) into plain data: tensors with shapes,
 * types, quantisation and constant data (views into `bytes`), operators with their codes, versions and
 * decoded options. Every offset is bounds-checked and every index range-checked; a truncated, corrupted or
 * hostile file raises TfliteReadError, never an out-of-bounds read or a hang.
 */
export function readTflite(bytes: Uint8Array): TfliteFile {
  if (bytes.length < 8) throw new TfliteReadError(`not a TFLite model: ${bytes.length} bytes is shorter than a flatbuffer header`);
  const identifier = String.fromCharCode(...bytes.subarray(4, 8));
  if (identifier !== FILE_IDENTIFIER) throw new TfliteReadError(`not a TFLite model: file identifier ${JSON.stringify(identifier)}, expected "${FILE_IDENTIFIER}"`);
  const r = new FlatReader(bytes);
  const model = r.table(r.deref(0, 'root offset'), 'model');
  const buffers = model.tables(4, 'buffers').map((t) => readBuffer(t, r));
  const codes = model.tables(1, 'operator_codes').map(readOperatorCode);
  const subgraphs = model.tables(2, 'subgraphs').map((t) => readSubgraph(t, codes, buffers));
  if (subgraphs.length === 0) throw new TfliteReadError('the model has no subgraph');
  return { version: model.u32(0, 0), description: model.string(3), subgraphs, buffers: buffers.length, byteLength: bytes.length };
}
