import { int32Bytes, int8Bytes, readFloat32 } from './bytes.ts';
import type { TensorRange } from './calibrate.ts';
import type { ModelSpec, OperatorSpec, QuantParams, TensorSpec } from './model-spec.ts';
import { activationParams, addOutputParams, quantizeConstant, quantizeWeights } from './quant-math.ts';

export interface QuantizeOptions {
  /** Model inputs and outputs int8, or float32 with QUANTIZE / DEQUANTIZE around the int8 graph. */
  io: 'int8' | 'float';
  /**
   * FULLY_CONNECTED weights per output unit (default true). The spec asks for per-tensor; TFLite Micro and
   * the full runtime accept per-channel, which loses less accuracy on classifiers.
   */
  perChannelFc?: boolean;
}

/** Operators whose output must reuse the input's parameters. */
const SAME_SCALE = new Set(['RESHAPE', 'PAD', 'MAX_POOL_2D', 'AVERAGE_POOL_2D', 'CONCATENATION', 'SQUEEZE']);
/** Operators with fixed int8 output parameters: probabilities in [0, 1) with 256 steps. */
const FIXED_OUTPUT: QuantParams = { scale: [1 / 256], zeroPoint: [-128], quantizedDimension: 0 };
const PER_CHANNEL_DIM: Readonly<Record<string, number>> = { CONV_2D: 0, DEPTHWISE_CONV_2D: 3, FULLY_CONNECTED: 0 };

function activationQuant(model: ModelSpec, ranges: ReadonlyMap<string, TensorRange>): Map<number, QuantParams> {
  const params = new Map<number, QuantParams>();
  const fromRange = (i: number): QuantParams => {
    const r = ranges.get(model.tensors[i].name);
    if (r === undefined) throw new Error(`quantisation: no calibration range for tensor "${model.tensors[i].name}"`);
    return activationParams(r);
  };
  for (const i of model.inputs) params.set(i, fromRange(i));
  for (const op of model.operators) {
    const out = op.outputs[0];
    if (SAME_SCALE.has(op.op)) params.set(out, params.get(op.inputs[0])!);
    else if (op.op === 'SOFTMAX' || op.op === 'LOGISTIC') params.set(out, FIXED_OUTPUT);
    else if (op.op === 'ADD' || op.op === 'SUB') params.set(out, addOutputParams(fromRange(out), op.inputs.map((i) => params.get(i)?.scale[0] ?? 0)));
    else params.set(out, fromRange(out));
  }
  return params;
}

/** Which operator reads each float constant; the int8 form of a constant depends on its reader. */
function constantReaders(model: ModelSpec): Map<number, { op: OperatorSpec; slot: number }> {
  const readers = new Map<number, { op: OperatorSpec; slot: number }>();
  for (const op of model.operators) {
    op.inputs.forEach((i, slot) => {
      const t = model.tensors[i];
      if (i < 0 || t.data === undefined || t.type !== 'float32') return;
      if (readers.has(i)) throw new Error(`quantisation: constant "${t.name}" is read by two operators; each needs its own quantisation`);
      readers.set(i, { op, slot });
    });
  }
  return readers;
}

/**
 * Post-training int8 quantisation of a float model: asymmetric per-tensor activations from the calibration
 * ranges, symmetric per-channel weights (dimension 0 for conv and FC, 3 for depthwise), int32 biases with
 * scale = input scale x weight scale, the input's parameters kept by RESHAPE / PAD / MAX_POOL_2D, and
 * (1/256, -128) for SOFTMAX / LOGISTIC. Int32 constants (paddings, axes, shapes) are kept.
 */
export function quantizeModel(model: ModelSpec, ranges: ReadonlyMap<string, TensorRange>, options: QuantizeOptions): ModelSpec {
  const act = activationQuant(model, ranges);
  const tensors: TensorSpec[] = model.tensors.map((t, i) => (t.data === undefined ? { name: t.name, shape: t.shape, type: 'int8', quant: act.get(i) } : t));
  for (const [i, { op, slot }] of constantReaders(model)) {
    const t = model.tensors[i];
    const dim = PER_CHANNEL_DIM[op.op];
    if (dim !== undefined && slot === 1) {
      const biasIndex = op.inputs[2] ?? -1;
      const bias = biasIndex >= 0 ? readFloat32(model.tensors[biasIndex].data!) : undefined;
      const perChannel = op.op !== 'FULLY_CONNECTED' || (options.perChannelFc ?? true);
      const q = quantizeWeights(readFloat32(t.data!), t.shape, dim, perChannel, bias, act.get(op.inputs[0])!.scale[0]);
      tensors[i] = { ...t, type: 'int8', data: int8Bytes(q.values), quant: q.weightParams };
      if (q.bias !== undefined) tensors[biasIndex] = { ...model.tensors[biasIndex], type: 'int32', data: int32Bytes(q.bias.values), quant: q.bias.params };
    } else if (dim === undefined) {
      const q = quantizeConstant(readFloat32(t.data!));
      tensors[i] = { ...t, type: 'int8', data: int8Bytes(q.values), quant: q.params };
    }
  }
  const quantized: ModelSpec = { ...model, tensors, operators: model.operators.slice() };
  return options.io === 'float' ? withFloatIo(quantized) : quantized;
}

/** Float32 model inputs and outputs around the int8 graph; the I/O tensors keep the model's names. */
function withFloatIo(model: ModelSpec): ModelSpec {
  const tensors = model.tensors.slice();
  const floatTwin = (i: number): number => {
    const t = tensors[i];
    tensors[i] = { ...t, name: `${t.name}/int8` };
    return tensors.push({ name: t.name, shape: t.shape, type: 'float32' }) - 1;
  };
  const inputs = model.inputs.map(floatTwin);
  const outputs = model.outputs.map(floatTwin);
  const quantize: OperatorSpec[] = model.inputs.map((q, k) => ({ op: 'QUANTIZE', inputs: [inputs[k]], outputs: [q], options: { kind: 'empty', table: 'QuantizeOptions' } }));
  const dequantize: OperatorSpec[] = model.outputs.map((q, k) => ({ op: 'DEQUANTIZE', inputs: [q], outputs: [outputs[k]], options: { kind: 'empty', table: 'DequantizeOptions' } }));
  return { ...model, tensors, inputs, outputs, operators: [...quantize, ...model.operators, ...dequantize] };
}
