import { convOutputSize, numel } from './types.ts';
import type { ConvLayer, NetGraph, Shape } from './types.ts';

/** TFLite builtin operators a NetGraph lowers to. */
export type TfliteOp =
  | 'PAD'
  | 'CONV_2D'
  | 'DEPTHWISE_CONV_2D'
  | 'HARD_SWISH'
  | 'MEAN'
  | 'MUL'
  | 'ADD'
  | 'MAX_POOL_2D'
  | 'RELU'
  | 'RESHAPE'
  | 'FULLY_CONNECTED';

export interface LoweredOp {
  op: TfliteOp;
  /** NetGraph layer this operator comes from. */
  layer: string;
  /** Activation tensors read (constant weights are not listed). */
  inputs: number[];
  output: number;
  /** Activation fused into a conv or FC; SAME/VALID for convs and pools. */
  fused?: 'NONE' | 'RELU' | 'RELU6';
  padding?: 'SAME' | 'VALID';
  /** Which step of a squeeze-and-excite gate the operator is; the TFLite writer attaches different constants to each. */
  seStep?: 'squeeze' | 'reduce' | 'expand' | 'hsigmoid' | 'scale';
}

/** The operator sequence a TFLite interpreter would run, with activation tensors only. */
export interface LoweredGraph {
  tensors: Shape[];
  input: number;
  outputs: number[];
  ops: LoweredOp[];
}

/** TFLite's SAME padding splits the total as floor(total/2) before, the rest after. */
function sameBefore(size: number, kernel: number, stride: number): number {
  const out = Math.ceil(size / stride);
  return Math.floor(Math.max((out - 1) * stride + kernel - size, 0) / 2);
}

type PaddingMode = 'VALID' | 'SAME' | 'PAD';

/** How the explicit padding of a conv maps onto TFLite: none, SAME, or an explicit PAD then VALID. */
export function tflitePadding(layer: ConvLayer, input: Shape): PaddingMode {
  const { top, bottom, left, right } = layer.padding;
  if (top === 0 && bottom === 0 && left === 0 && right === 0) return 'VALID';
  const [h, w] = input;
  const sameShape =
    convOutputSize(h, layer.kernel, layer.stride, top, bottom) === Math.ceil(h / layer.stride) &&
    convOutputSize(w, layer.kernel, layer.stride, left, right) === Math.ceil(w / layer.stride);
  const sameOffsets = top === sameBefore(h, layer.kernel, layer.stride) && left === sameBefore(w, layer.kernel, layer.stride);
  return sameShape && sameOffsets ? 'SAME' : 'PAD';
}

/**
 * Lowers a NetGraph to TFLite operators: batch norm folds into convs, ReLU/ReLU6 fuse, h-swish is its own op,
 * the SE gate is MEAN -> CONV(ReLU) -> CONV(ReLU6, bias + 3) -> MUL(1/6) -> MUL, and padding that is not
 * TFLite's SAME becomes an explicit PAD.
 */
export function lowerToTflite(graph: NetGraph): LoweredGraph {
  const tensors: Shape[] = graph.tensors.slice();
  const ops: LoweredOp[] = [];
  const fresh = (shape: Shape): number => tensors.push(shape) - 1;

  for (const layer of graph.layers) {
    switch (layer.kind) {
      case 'conv': {
        const input = graph.tensors[layer.input];
        const mode = tflitePadding(layer, input);
        let source = layer.input;
        if (mode === 'PAD') {
          const p = layer.padding;
          source = fresh([input[0] + p.top + p.bottom, input[1] + p.left + p.right, input[2]]);
          ops.push({ op: 'PAD', layer: layer.name, inputs: [layer.input], output: source });
        }
        const fused = layer.act === 'relu' ? 'RELU' : layer.act === 'relu6' ? 'RELU6' : 'NONE';
        const needsOwnAct = layer.act === 'hswish';
        const convOut = needsOwnAct ? fresh(graph.tensors[layer.output]) : layer.output;
        ops.push({
          op: layer.groups === 1 ? 'CONV_2D' : 'DEPTHWISE_CONV_2D',
          layer: layer.name,
          inputs: [source],
          output: convOut,
          fused,
          padding: mode === 'SAME' ? 'SAME' : 'VALID',
        });
        if (needsOwnAct) ops.push({ op: 'HARD_SWISH', layer: layer.name, inputs: [convOut], output: layer.output });
        break;
      }
      case 'se': {
        const c = layer.channels;
        const pooled = fresh([1, 1, c]);
        const reduced = fresh([1, 1, layer.reduced]);
        const expanded = fresh([1, 1, c]);
        const gate = fresh([1, 1, c]);
        ops.push({ op: 'MEAN', layer: layer.name, inputs: [layer.input], output: pooled, seStep: 'squeeze' });
        ops.push({ op: 'CONV_2D', layer: layer.name, inputs: [pooled], output: reduced, fused: 'RELU', padding: 'VALID', seStep: 'reduce' });
        ops.push({ op: 'CONV_2D', layer: layer.name, inputs: [reduced], output: expanded, fused: 'RELU6', padding: 'VALID', seStep: 'expand' });
        ops.push({ op: 'MUL', layer: layer.name, inputs: [expanded], output: gate, seStep: 'hsigmoid' });
        ops.push({ op: 'MUL', layer: layer.name, inputs: [layer.input, gate], output: layer.output, seStep: 'scale' });
        break;
      }
      case 'add':
        ops.push({ op: 'ADD', layer: layer.name, inputs: [...layer.inputs], output: layer.output });
        break;
      case 'global_pool':
        ops.push({ op: 'MEAN', layer: layer.name, inputs: [layer.input], output: layer.output });
        break;
      case 'max_pool':
        ops.push({ op: 'MAX_POOL_2D', layer: layer.name, inputs: [layer.input], output: layer.output, padding: 'VALID' });
        break;
      case 'act':
        if (layer.act === 'hswish') {
          ops.push({ op: 'HARD_SWISH', layer: layer.name, inputs: [layer.input], output: layer.output });
        } else if (layer.act === 'relu') {
          ops.push({ op: 'RELU', layer: layer.name, inputs: [layer.input], output: layer.output });
        } else {
          throw new Error(`activation layer ${layer.name}: ${layer.act} has no TFLite lowering`);
        }
        break;
      case 'flatten':
        ops.push({ op: 'RESHAPE', layer: layer.name, inputs: [layer.input], output: layer.output });
        break;
      case 'linear':
        ops.push({ op: 'FULLY_CONNECTED', layer: layer.name, inputs: [layer.input], output: layer.output, fused: 'NONE' });
        break;
    }
  }
  return { tensors, input: graph.input, outputs: graph.exits.map((e) => e.output), ops };
}

/** Lifetimes of the activation tensors of a lowered graph, in TFLite Micro's convention. */
export function tensorLifetimes(lowered: LoweredGraph): { tensor: number; firstUse: number; lastUse: number }[] {
  const first = new Map<number, number>([[lowered.input, 0]]);
  const last = new Map<number, number>();
  lowered.ops.forEach((op, i) => {
    for (const t of op.inputs) last.set(t, i);
    if (!first.has(op.output)) first.set(op.output, i);
    if (!last.has(op.output)) last.set(op.output, i);
  });
  const end = lowered.ops.length - 1;
  for (const t of lowered.outputs) last.set(t, end);
  return [...first.keys()].map((tensor) => ({ tensor, firstUse: first.get(tensor)!, lastUse: last.get(tensor)! }));
}

export function tensorBytes(shape: Shape, bytesPerElement: number): number {
  return numel(shape) * bytesPerElement;
}
