import { Builder } from 'flatbuffers';
import type { Offset } from 'flatbuffers';
import { checkModel } from './check-model.ts';
import type { ModelSpec } from './model-spec.ts';
import { operatorVersion } from './op-version.ts';
import { FILE_IDENTIFIER, SCHEMA_VERSION } from './schema.ts';
import { writeBuffer, writeModelTable, writeOperator, writeOperatorCode, writeSubGraph, writeTensor } from './write-tables.ts';

/**
 * Serialises a checked model: schema version 3, identifier TFL3, buffer 0 the empty sentinel that every
 * activation points at, one 16-byte aligned buffer per constant, one operator code per (operator, version)
 * pair, and operator versions as the reference converter assigns them. Throws ModelCheckError for a model
 * that breaks a structural or int8 rule, before anything is written.
 */
export function writeTflite(model: ModelSpec): Uint8Array {
  checkModel(model);
  const dataBytes = model.tensors.reduce((sum, t) => sum + (t.data?.length ?? 0) + 32, 0);
  const b = new Builder(dataBytes + 256 * (model.tensors.length + model.operators.length) + 1024);

  const buffers: Offset[] = [writeBuffer(b, undefined)];
  const bufferOf = model.tensors.map((t) => (t.data === undefined ? 0 : buffers.push(writeBuffer(b, t.data)) - 1));
  const tensors = model.tensors.map((t, i) => writeTensor(b, t, bufferOf[i]));

  const codes: { op: ModelSpec['operators'][number]['op']; version: number }[] = [];
  const codeIndex = new Map<string, number>();
  const operators = model.operators.map((op) => {
    const version = operatorVersion(op, model);
    const key = `${op.op}/${version}`;
    let index = codeIndex.get(key);
    if (index === undefined) {
      index = codes.push({ op: op.op, version }) - 1;
      codeIndex.set(key, index);
    }
    return writeOperator(b, op, index);
  });
  const operatorCodes = codes.map((c) => writeOperatorCode(b, c.op, c.version));

  const subgraph = writeSubGraph(b, { tensors, inputs: model.inputs, outputs: model.outputs, operators, name: 'main' });
  const root = writeModelTable(b, { version: SCHEMA_VERSION, operatorCodes, subgraphs: [subgraph], description: model.description, buffers });
  b.finish(root, FILE_IDENTIFIER);
  // A copy that owns its ArrayBuffer from offset 0, so constant data stays 16-byte aligned in memory too.
  return b.asUint8Array().slice();
}
