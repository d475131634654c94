import { planArena } from '../graph/arena.ts';
import type { Buffer } from '../graph/arena.ts';
import { elementCount } from './model-spec.ts';
import { TfliteReadError } from './flat-reader.ts';
import type { ReadOperator, ReadSubgraph, ReadTensor, TfliteFile } from './reader.ts';
import { tensorDataBytes } from './schema.ts';

export interface OperatorStats {
  index: number;
  op: string;
  version: number;
  /** Shape of the first input and of the output. */
  inputShape: number[];
  outputShape: number[];
  type: string;
  macs: number;
  /** Elements of the constant weights and biases this operator reads. */
  params: number;
}

export interface ModelStats {
  operators: OperatorStats[];
  inputs: Pick<ReadTensor, 'name' | 'shape' | 'type' | 'quant'>[];
  outputs: Pick<ReadTensor, 'name' | 'shape' | 'type' | 'quant'>[];
  totals: {
    operators: number;
    /** Every multiply and accumulate (see `operatorMacs`). */
    macs: number;
    /** CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and TRANSPOSE_CONV only. */
    convFcMacs: number;
    /** Elements of weights and biases (not of int32 shape, axis or padding operands). */
    params: number;
    /** Bytes of those parameters. */
    paramBytes: number;
    /** Bytes of all constant buffers, the index operands included. */
    constantBytes: number;
    /** Peak activation memory from TFLite Micro's greedy planner, activations aligned to 16 bytes. */
    arenaBytes: number;
    activationTensors: number;
    fileBytes: number;
    subgraphs: number;
  };
}

/** Above this many activation tensors the quadratic greedy planner would take too long; no real MCU model comes close. */
const MAX_PLANNED_TENSORS = 20000;

const CONV_LIKE = new Set(['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'TRANSPOSE_CONV']);

/** Dynamic (-1) dimensions count as 1, as a batch of one. */
function numel(shape: readonly number[]): number {
  return elementCount(shape.map((d) => Math.max(d, 1)));
}

/**
 * Multiply-accumulates of one operator: a conv does out_elems x kh x kw x cin/groups (the filter's inner
 * size; 1 channel per output for depthwise), FULLY_CONNECTED out_elems x depth, TRANSPOSE_CONV in_elems x kh
 * x kw x cout; MUL and HARD_SWISH one multiply per output element; MEAN and AVERAGE_POOL_2D one accumulate
 * per input element (per window element). Everything else (adds, pads, pools, reshapes, activations) is 0.
 */
export function operatorMacs(op: ReadOperator, tensors: readonly ReadTensor[]): number {
  const shape = (k: number) => tensors[op.inputs[k]]?.shape ?? [];
  const out = numel(tensors[op.outputs[0]]?.shape ?? []);
  switch (op.op) {
    case 'CONV_2D': {
      const [, kh, kw, cin] = shape(1);
      return out * kh * kw * cin;
    }
    case 'DEPTHWISE_CONV_2D': {
      const [, kh, kw] = shape(1);
      return out * kh * kw;
    }
    case 'FULLY_CONNECTED':
      return out * shape(1)[1];
    case 'TRANSPOSE_CONV': {
      const [cout, kh, kw] = shape(1);
      return numel(shape(2)) * kh * kw * cout;
    }
    case 'MUL':
    case 'HARD_SWISH':
      return out;
    case 'MEAN':
      return numel(shape(0));
    case 'AVERAGE_POOL_2D':
      return op.options?.kind === 'pool2d' ? out * op.options.filterH * op.options.filterW : 0;
    default:
      return 0;
  }
}

/** A constant is a parameter unless it is an integer index operand (shape, axis, paddings); biases are int32 parameters. */
function isParameterSlot(op: ReadOperator, slot: number, t: ReadTensor): boolean {
  if (t.type !== 'int32' && t.type !== 'int64') return true;
  return CONV_LIKE.has(op.op) && slot === (op.op === 'TRANSPOSE_CONV' ? 3 : 2);
}

/** TFLite Micro's lifetimes: subgraph inputs live from operator 0, outputs to the last, others first write to last read. */
function activationBuffers(g: ReadSubgraph): Buffer[] {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const isActivation = (i: number) => i >= 0 && g.tensors[i].data === undefined && !g.tensors[i].isVariable;
  for (const i of g.inputs) if (isActivation(i)) first.set(i, 0);
  g.operators.forEach((op, k) => {
    for (const i of op.inputs) if (isActivation(i)) last.set(i, k);
    for (const o of op.outputs) {
      if (!isActivation(o)) continue;
      if (!first.has(o)) first.set(o, k);
      last.set(o, Math.max(last.get(o) ?? k, k));
    }
  });
  const end = Math.max(g.operators.length - 1, 0);
  for (const o of g.outputs) if (isActivation(o)) last.set(o, end);
  const used = [...first.keys()].sort((a, b) => a - b);
  if (used.length > MAX_PLANNED_TENSORS) throw new TfliteReadError(`${used.length} activation tensors; the arena planner handles at most ${MAX_PLANNED_TENSORS}`);
  return used.map((i) => {
    const t = g.tensors[i];
    return { size: tensorDataBytes(t.type, numel(t.shape)) ?? 0, firstUse: first.get(i)!, lastUse: last.get(i) ?? first.get(i)! };
  });
}

/** Per-operator MACs and parameters, and the totals, of the main (first) subgraph. */
export function modelStats(file: TfliteFile): ModelStats {
  const g = file.subgraphs[0];
  let params = 0;
  let paramBytes = 0;
  const counted = new Set<number>();
  const operators = g.operators.map((op, index): OperatorStats => {
    let opParams = 0;
    op.inputs.forEach((i, slot) => {
      const t = g.tensors[i];
      if (i < 0 || t.data === undefined || !isParameterSlot(op, slot, t)) return;
      opParams += numel(t.shape);
      if (counted.has(i)) return;
      counted.add(i);
      params += numel(t.shape);
      paramBytes += t.data.length;
    });
    const output = g.tensors[op.outputs[0]];
    return {
      index,
      op: op.op,
      version: op.version,
      inputShape: op.inputs[0] >= 0 ? g.tensors[op.inputs[0]].shape : [],
      outputShape: output?.shape ?? [],
      type: output?.type ?? '',
      macs: operatorMacs(op, g.tensors),
      params: opParams,
    };
  });
  const io = (i: number) => ({ name: g.tensors[i].name, shape: g.tensors[i].shape, type: g.tensors[i].type, quant: g.tensors[i].quant });
  const buffers = activationBuffers(g);
  return {
    operators,
    inputs: g.inputs.map(io),
    outputs: g.outputs.map(io),
    totals: {
      operators: operators.length,
      macs: operators.reduce((s, o) => s + o.macs, 0),
      convFcMacs: operators.reduce((s, o) => s + (CONV_LIKE.has(o.op) ? o.macs : 0), 0),
      params,
      paramBytes,
      constantBytes: [...new Map(g.tensors.filter((t) => t.data !== undefined).map((t) => [t.buffer, t.data!.length])).values()].reduce((s, n) => s + n, 0),
      arenaBytes: planArena(buffers).peak,
      activationTensors: buffers.length,
      fileBytes: file.byteLength,
      subgraphs: file.subgraphs.length,
    },
  };
}
