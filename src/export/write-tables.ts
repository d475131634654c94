import type { Builder, Offset } from 'flatbuffers';
import type { OperatorSpec, QuantParams, TensorSpec } from './model-spec.ts';
import { OPERATOR_CODES, PLACEHOLDER_FOR_GREATER_OP_CODES, TENSOR_TYPE_CODES } from './schema.ts';
import { writeOptions } from './write-options.ts';
import { alignedByteVector, float32Vector, int32Vector, int64Vector, offsetVector } from './write-vectors.ts';

/** One writer per schema table; every child object is built before its parent's startObject. */

export function writeBuffer(b: Builder, data: Uint8Array | undefined): Offset {
  const vector = data === undefined ? 0 : alignedByteVector(b, data);
  b.startObject(3);
  if (vector !== 0) b.addFieldOffset(0, vector, 0);
  return b.endObject();
}

function writeQuant(b: Builder, q: QuantParams): Offset {
  const scale = float32Vector(b, q.scale);
  const zeroPoint = int64Vector(b, q.zeroPoint);
  b.startObject(7);
  b.addFieldOffset(2, scale, 0);
  b.addFieldOffset(3, zeroPoint, 0);
  b.addFieldInt32(6, q.quantizedDimension, 0);
  return b.endObject();
}

/** No shape_signature: the runtimes refuse a signature with dynamic (-1) dims, and ours are all static. */
export function writeTensor(b: Builder, t: TensorSpec, buffer: number): Offset {
  const shape = int32Vector(b, t.shape);
  const name = b.createString(t.name);
  const quant = t.quant === undefined ? 0 : writeQuant(b, t.quant);
  b.startObject(11);
  b.addFieldOffset(0, shape, 0);
  b.addFieldInt8(1, TENSOR_TYPE_CODES[t.type], 0);
  b.addFieldInt32(2, buffer, 0);
  b.addFieldOffset(3, name, 0);
  if (quant !== 0) b.addFieldOffset(4, quant, 0);
  return b.endObject();
}

/**
 * Readers take max(deprecated_builtin_code, builtin_code), and old readers only know the deprecated int8
 * field, so both are set: the code itself where it fits, the placeholder 127 where it does not.
 */
export function writeOperatorCode(b: Builder, op: OperatorSpec['op'], version: number): Offset {
  const code = OPERATOR_CODES[op];
  b.startObject(4);
  b.addFieldInt8(0, Math.min(code, PLACEHOLDER_FOR_GREATER_OP_CODES), 0);
  b.addFieldInt32(2, version, 1);
  b.addFieldInt32(3, code, 0);
  return b.endObject();
}

export function writeOperator(b: Builder, op: OperatorSpec, opcodeIndex: number): Offset {
  const inputs = int32Vector(b, op.inputs);
  const outputs = int32Vector(b, op.outputs);
  const options = op.options === undefined ? undefined : writeOptions(b, op.options);
  b.startObject(5);
  b.addFieldInt32(0, opcodeIndex, 0);
  b.addFieldOffset(1, inputs, 0);
  b.addFieldOffset(2, outputs, 0);
  if (options !== undefined) {
    b.addFieldInt8(3, options.type, 0);
    b.addFieldOffset(4, options.offset, 0);
  }
  return b.endObject();
}

export function writeSubGraph(b: Builder, parts: { tensors: Offset[]; inputs: number[]; outputs: number[]; operators: Offset[]; name: string }): Offset {
  const tensors = offsetVector(b, parts.tensors);
  const inputs = int32Vector(b, parts.inputs);
  const outputs = int32Vector(b, parts.outputs);
  const operators = offsetVector(b, parts.operators);
  const name = b.createString(parts.name);
  b.startObject(5);
  b.addFieldOffset(0, tensors, 0);
  b.addFieldOffset(1, inputs, 0);
  b.addFieldOffset(2, outputs, 0);
  b.addFieldOffset(3, operators, 0);
  b.addFieldOffset(4, name, 0);
  return b.endObject();
}

export function writeModelTable(b: Builder, parts: { version: number; operatorCodes: Offset[]; subgraphs: Offset[]; description: string; buffers: Offset[] }): Offset {
  const operatorCodes = offsetVector(b, parts.operatorCodes);
  const subgraphs = offsetVector(b, parts.subgraphs);
  const description = b.createString(parts.description);
  const buffers = offsetVector(b, parts.buffers);
  b.startObject(5);
  b.addFieldInt32(0, parts.version, 0);
  b.addFieldOffset(1, operatorCodes, 0);
  b.addFieldOffset(2, subgraphs, 0);
  b.addFieldOffset(3, description, 0);
  b.addFieldOffset(4, buffers, 0);
  return b.endObject();
}
