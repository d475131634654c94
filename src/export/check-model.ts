import { elementCount } from './model-spec.ts';
import type { ModelSpec, OperatorSpec, TensorSpec } from './model-spec.ts';
import { addOutputScaleFloor } from './quant-math.ts';
import { tensorDataBytes } from './schema.ts';

/** A model that breaks a structural or int8 rule; `tensor` names the offending tensor where there is one. */
export class ModelCheckError extends Error {
  constructor(
    readonly tensor: string | undefined,
    readonly rule: string,
  ) {
    super(tensor === undefined ? rule : `tensor "${tensor}": ${rule}`);
    this.name = 'ModelCheckError';
  }
}

/** The runtime compares bias scales with this relative tolerance (GetQuantizedConvolutionMultipler). */
const BIAS_SCALE_TOLERANCE = 1e-6;

/** Ops whose int8 output must carry the input's scale and zero point (quantization_spec.md). */
const SAME_SCALE_OPS = new Set(['RESHAPE', 'PAD', 'MAX_POOL_2D', 'AVERAGE_POOL_2D', 'CONCATENATION', 'SQUEEZE']);

/** Ops whose int8 output parameters the kernels fix: real range [0, 1) in 256 steps. */
const FIXED_OUTPUT_OPS = new Set(['SOFTMAX', 'LOGISTIC']);

const WEIGHTED_OPS: Readonly<Record<string, number>> = { CONV_2D: 0, DEPTHWISE_CONV_2D: 3, FULLY_CONNECTED: 0 };

function fail(tensor: TensorSpec | undefined, rule: string): never {
  throw new ModelCheckError(tensor?.name, rule);
}

function checkStructure(model: ModelSpec): void {
  const n = model.tensors.length;
  const inRange = (i: number) => Number.isInteger(i) && i >= 0 && i < n;
  for (const i of [...model.inputs, ...model.outputs]) if (!inRange(i)) fail(undefined, `model input/output index ${i} is out of range (${n} tensors)`);
  for (const t of model.tensors) {
    if (t.shape.some((d) => !Number.isInteger(d) || d < 0)) fail(t, `shape [${t.shape}] has a negative or fractional dimension`);
    if (t.data !== undefined) {
      const expected = tensorDataBytes(t.type, elementCount(t.shape));
      if (expected !== undefined && expected !== t.data.length) fail(t, `holds ${t.data.length} bytes, shape [${t.shape}] of ${t.type} needs ${expected}`);
    }
    if (t.quant !== undefined && t.quant.scale.length !== t.quant.zeroPoint.length) {
      fail(t, `has ${t.quant.scale.length} scales but ${t.quant.zeroPoint.length} zero points`);
    }
  }
  const defined = new Set<number>(model.inputs);
  model.tensors.forEach((t, i) => t.data !== undefined && defined.add(i));
  model.operators.forEach((op, k) => {
    for (const i of op.inputs) {
      if (i === -1) continue;
      if (!inRange(i)) fail(undefined, `operator ${k} (${op.op}) reads tensor index ${i}, out of range (${n} tensors)`);
      if (!defined.has(i)) fail(model.tensors[i], `operator ${k} (${op.op}) reads it before any operator writes it`);
    }
    for (const o of op.outputs) {
      if (!inRange(o)) fail(undefined, `operator ${k} (${op.op}) writes tensor index ${o}, out of range (${n} tensors)`);
      if (defined.has(o)) fail(model.tensors[o], `operator ${k} (${op.op}) writes a tensor that is already defined (a model input, a constant, or another operator's output)`);
      defined.add(o);
    }
  });
  for (const o of model.outputs) if (!defined.has(o)) fail(model.tensors[o], 'is a model output that no operator writes');
}

function checkQuantParams(t: TensorSpec): void {
  const q = t.quant;
  if (q === undefined || q.scale.length === 0) fail(t, 'int8 tensor without quantization parameters');
  if (q.scale.some((s) => !(Number.isFinite(s) && s > 0))) fail(t, `scale must be finite and positive, got [${q.scale}]`);
  if (q.zeroPoint.some((z) => !Number.isInteger(z) || z < -128 || z > 127)) fail(t, `int8 zero point out of [-128, 127]: [${q.zeroPoint}]`);
  if (q.scale.length > 1) {
    if (q.quantizedDimension < 0 || q.quantizedDimension >= t.shape.length) {
      fail(t, `quantized_dimension ${q.quantizedDimension} is outside the tensor's rank ${t.shape.length}`);
    }
    if (q.scale.length !== t.shape[q.quantizedDimension]) {
      fail(t, `${q.scale.length} per-channel scales but dimension ${q.quantizedDimension} has size ${t.shape[q.quantizedDimension]}`);
    }
  }
}

function checkWeights(model: ModelSpec, op: OperatorSpec): void {
  const input = model.tensors[op.inputs[0]];
  const filter = model.tensors[op.inputs[1]];
  const dim = WEIGHTED_OPS[op.op];
  if (filter === undefined) fail(input, `${op.op} reading it has no weights input`);
  if (filter.type !== 'int8' || filter.data === undefined) fail(filter, `${op.op} with int8 input needs constant int8 weights, got ${filter.type}`);
  const q = filter.quant!;
  if (q.zeroPoint.some((z) => z !== 0)) fail(filter, 'weights must be symmetric (zero point 0)');
  if (q.scale.length > 1 && q.quantizedDimension !== dim) fail(filter, `${op.op} weights are quantized per channel along dimension ${dim}, not ${q.quantizedDimension}`);
  if (new Int8Array(filter.data.buffer, filter.data.byteOffset, filter.data.length).includes(-128)) fail(filter, 'int8 weights must lie in [-127, 127]');
  const biasIndex = op.inputs[2] ?? -1;
  if (biasIndex < 0) return;
  const bias = model.tensors[biasIndex];
  const channels = filter.shape[dim];
  if (bias.type !== 'int32' || bias.quant === undefined) fail(bias, `bias of an int8 ${op.op} must be int32 with quantization parameters, got ${bias.type}`);
  if (bias.shape.length !== 1 || bias.shape[0] !== channels) fail(bias, `bias shape [${bias.shape}] does not match ${channels} output channels`);
  if (bias.quant.zeroPoint.some((z) => z !== 0)) fail(bias, 'bias zero point must be 0');
  // the full runtime refuses a rank-1 bias quantised along another dimension (tflite-micro's person_detect has 3)
  if (bias.quant.quantizedDimension !== 0) fail(bias, `quantized_dimension ${bias.quant.quantizedDimension} is outside the bias's rank 1`);
  if (bias.quant.scale.length !== q.scale.length) fail(bias, `${bias.quant.scale.length} bias scales for ${q.scale.length} weight scales`);
  const inputScale = input.quant!.scale[0];
  bias.quant.scale.forEach((s, c) => {
    const expected = inputScale * q.scale[c];
    if (Math.abs(s - expected) > BIAS_SCALE_TOLERANCE * Math.min(s, expected)) {
      fail(bias, `bias scale ${s} != input scale x weight scale = ${inputScale} x ${q.scale[c]} = ${expected} (channel ${c})`);
    }
  });
}

function sameParams(a: TensorSpec, b: TensorSpec): boolean {
  return a.quant?.scale[0] === b.quant?.scale[0] && a.quant?.zeroPoint[0] === b.quant?.zeroPoint[0];
}

function checkInt8Operator(model: ModelSpec, op: OperatorSpec): void {
  const activations = (list: number[]) => list.filter((i) => i >= 0 && model.tensors[i].data === undefined).map((i) => model.tensors[i]);
  const first = model.tensors[op.inputs[0]];
  const result = model.tensors[op.outputs[0]];
  if (op.op === 'QUANTIZE') {
    if (result.type !== 'int8') fail(result, `QUANTIZE must output int8, got ${result.type}`);
    return;
  }
  if (op.op === 'DEQUANTIZE') {
    if (first.type === 'int8' && result.type !== 'float32') fail(result, `DEQUANTIZE of int8 must output float32, got ${result.type}`);
    return;
  }
  const ins = activations(op.inputs);
  const outs = activations(op.outputs);
  const int8 = [...ins, ...outs].some((t) => t.type === 'int8');
  if (!int8) return;
  for (const t of [...ins, ...outs]) {
    if (t.type !== 'int8') fail(t, `${op.op} mixes int8 and ${t.type} activations; only QUANTIZE and DEQUANTIZE convert`);
    if (t.quant!.scale.length !== 1) fail(t, 'activations are quantized per tensor (one scale)');
  }
  if (op.op in WEIGHTED_OPS) checkWeights(model, op);
  if (SAME_SCALE_OPS.has(op.op) && ins.length > 0 && !sameParams(ins[0], outs[0])) {
    fail(outs[0], `${op.op} output must keep its input's scale and zero point (${ins[0].quant!.scale[0]}, ${ins[0].quant!.zeroPoint[0]})`);
  }
  if ((op.op === 'ADD' || op.op === 'SUB') && outs[0].quant!.scale[0] <= addOutputScaleFloor(ins.map((t) => t.quant!.scale[0]))) {
    fail(outs[0], `${op.op} output scale must exceed 2 x the larger input scale / 2^20, or the runtime's requantisation aborts`);
  }
  if (FIXED_OUTPUT_OPS.has(op.op)) {
    const q = outs[0].quant!;
    if (q.scale[0] !== 1 / 256 || q.zeroPoint[0] !== -128) fail(outs[0], `${op.op} int8 output must have scale 1/256 and zero point -128`);
  }
}

/**
 * The pre-write gate: indices in range, data sizes that match shapes, operators in an order that defines
 * every tensor before it is read and writes each once, and TFLite's int8 rules (per-tensor asymmetric
 * activations, symmetric per-channel weights along the right dimension, int32 biases with scale = input
 * scale x weight scale, same-scale and fixed-output operators). Throws ModelCheckError on the first breach.
 */
export function checkModel(model: ModelSpec): void {
  checkStructure(model);
  for (const t of model.tensors) if (t.type === 'int8') checkQuantParams(t);
  for (const op of model.operators) checkInt8Operator(model, op);
}
