import { lowerToTflite } from '../graph/lower.ts';
import type { LoweredGraph, LoweredOp } from '../graph/lower.ts';
import type { Layer, NetGraph } from '../graph/types.ts';
import { float32Bytes, int32Bytes } from './bytes.ts';
import { foldConv, linearWeights, squeezeExciteWeights } from './fold.ts';
import type { TfliteWeights } from './fold.ts';
import type { ModelSpec, OperatorSpec, TensorSpec } from './model-spec.ts';
import type { WeightMap } from './weights.ts';

export interface FloatModelOptions {
  /** Append SOFTMAX to every output (default false: logits). */
  softmax?: boolean;
  description?: string;
  /** Name of the graph's input tensor (default `input`); a segment names it after the layer that produced it. */
  inputName?: string;
}

/** Appends tensors and operators, mapping the lowered graph's activation ids to model tensor indices. */
class Assembler {
  readonly tensors: TensorSpec[] = [];
  readonly operators: OperatorSpec[] = [];
  private readonly ids = new Map<number, number>();

  activation(id: number, name: string, shape: number[]): number {
    const index = this.tensors.push({ name, shape, type: 'float32' }) - 1;
    this.ids.set(id, index);
    return index;
  }

  /** The model tensor of an activation id, which an earlier operator (or the input) must have produced. */
  read(id: number, layer: string): number {
    const index = this.ids.get(id);
    if (index === undefined) throw new Error(`layer ${layer} reads tensor ${id}, which no earlier layer of this graph produces`);
    return index;
  }

  add(t: TensorSpec): number {
    return this.tensors.push(t) - 1;
  }

  weights(name: string, w: TfliteWeights): [number, number] {
    const filter = this.add({ name: `${name}.weight`, shape: w.shape, type: 'float32', data: float32Bytes(w.filter) });
    const bias = w.bias === undefined ? -1 : this.add({ name: `${name}.bias`, shape: [w.bias.length], type: 'float32', data: float32Bytes(w.bias) });
    return [filter, bias];
  }

  int32(name: string, shape: number[], values: number[]): number {
    return this.add({ name, shape, type: 'int32', data: int32Bytes(values) });
  }
}

/** The name of an operator's output: the layer's name for the layer's own output, `<layer>/<step>` inside it. */
function outputName(op: LoweredOp, layer: Layer): string {
  if (op.output === layer.output) return layer.name;
  if (op.seStep !== undefined) return `${layer.name}/${op.seStep}`;
  return `${layer.name}/${op.op === 'PAD' ? 'pad' : 'conv'}`;
}

/** FULLY_CONNECTED (keep_num_dims false) and RESHAPE give [1, n]; everything else stays NHWC. */
function outputShape(op: LoweredOp, hwc: readonly number[]): number[] {
  return op.op === 'FULLY_CONNECTED' || op.op === 'RESHAPE' ? [1, hwc[0] * hwc[1] * hwc[2]] : [1, ...hwc];
}

function emit(a: Assembler, op: LoweredOp, layer: Layer, lowered: LoweredGraph, weights: WeightMap): OperatorSpec {
  const input = (k: number) => a.read(op.inputs[k], layer.name);
  const fused = op.fused ?? 'NONE';
  const base = { inputs: op.inputs.map((_, k) => input(k)), outputs: [] as number[] };
  switch (op.op) {
    case 'PAD': {
      if (layer.kind !== 'conv') break;
      const p = layer.padding;
      const paddings = a.int32(`${layer.name}/paddings`, [4, 2], [0, 0, p.top, p.bottom, p.left, p.right, 0, 0]);
      return { op: 'PAD', ...base, inputs: [input(0), paddings], options: { kind: 'empty', table: 'PadOptions' } };
    }
    case 'CONV_2D':
    case 'DEPTHWISE_CONV_2D': {
      let w: TfliteWeights;
      let stride = 1;
      let prefix = layer.name;
      if (layer.kind === 'se') {
        const se = squeezeExciteWeights(layer, weights);
        w = op.seStep === 'reduce' ? se.reduce : se.expand;
        prefix = `${layer.name}.fc.${op.seStep}`;
      } else if (layer.kind === 'conv') {
        w = foldConv(layer, weights);
        stride = layer.stride;
      } else {
        break;
      }
      const [filter, bias] = a.weights(prefix, w);
      const padding = op.padding ?? 'VALID';
      const options =
        op.op === 'CONV_2D'
          ? ({ kind: 'conv2d', padding, strideW: stride, strideH: stride, activation: fused, dilationW: 1, dilationH: 1 } as const)
          : ({ kind: 'depthwise_conv2d', padding, strideW: stride, strideH: stride, depthMultiplier: 1, activation: fused, dilationW: 1, dilationH: 1 } as const);
      return { op: op.op, ...base, inputs: [input(0), filter, bias], options };
    }
    case 'HARD_SWISH':
      return { op: 'HARD_SWISH', ...base, options: { kind: 'empty', table: 'HardSwishOptions' } };
    case 'MEAN': {
      const axis = a.int32(`${outputName(op, layer)}/axis`, [2], [1, 2]);
      return { op: 'MEAN', ...base, inputs: [input(0), axis], options: { kind: 'reducer', keepDims: true } };
    }
    case 'MUL': {
      if (op.seStep === 'hsigmoid') {
        const sixth = a.add({ name: `${layer.name}/one_sixth`, shape: [1], type: 'float32', data: float32Bytes([1 / 6]) });
        return { op: 'MUL', ...base, inputs: [input(0), sixth], options: { kind: 'mul', activation: 'NONE' } };
      }
      return { op: 'MUL', ...base, options: { kind: 'mul', activation: 'NONE' } };
    }
    case 'ADD':
      return { op: 'ADD', ...base, options: { kind: 'add', activation: 'NONE' } };
    case 'MAX_POOL_2D': {
      if (layer.kind !== 'max_pool') break;
      const s = layer.size;
      return { op: 'MAX_POOL_2D', ...base, options: { kind: 'pool2d', padding: 'VALID', strideW: s, strideH: s, filterW: s, filterH: s, activation: 'NONE' } };
    }
    case 'RELU':
      return { op: 'RELU', ...base };
    case 'RESHAPE': {
      const [h, w, c] = lowered.tensors[op.output];
      const newShape = [1, h * w * c];
      const shape = a.int32(`${layer.name}/shape`, [2], newShape);
      return { op: 'RESHAPE', ...base, inputs: [input(0), shape], options: { kind: 'reshape', newShape } };
    }
    case 'FULLY_CONNECTED': {
      if (layer.kind !== 'linear') break;
      const [filter, bias] = a.weights(layer.name, linearWeights(layer, weights));
      return { op: 'FULLY_CONNECTED', ...base, inputs: [input(0), filter, bias], options: { kind: 'fully_connected', activation: fused, keepNumDims: false } };
    }
  }
  throw new Error(`layer ${layer.name} (${layer.kind}) cannot lower to ${op.op}`);
}

/**
 * The float32 TFLite model of a NetGraph, operator for operator as `lowerToTflite` decides them (so costs,
 * arena plan and file agree): batch norm folded into convolutions, ReLU/ReLU6 fused, h-swish as HARD_SWISH,
 * explicit PAD where padding is not TFLite's SAME, the SE gate as MEAN, CONV(ReLU), CONV(ReLU6, bias + 3),
 * MUL(1/6), MUL. Outputs are the exits in `graph.exits` order. Activation tensors are created in the order the
 * lowered graph first uses them, so the arena planner breaks ties as `peakActivationBytes` does.
 */
export function buildFloatModel(graph: NetGraph, weights: WeightMap, options: FloatModelOptions = {}): ModelSpec {
  const lowered = lowerToTflite(graph);
  const layers = new Map(graph.layers.map((l) => [l.name, l]));
  const a = new Assembler();
  const input = a.activation(lowered.input, options.inputName ?? 'input', [1, ...lowered.tensors[lowered.input]]);
  for (const op of lowered.ops) {
    const layer = layers.get(op.layer)!;
    const spec = emit(a, op, layer, lowered, weights);
    const flat = spec.inputs.find((i) => i >= 0 && a.tensors[i].data === undefined && a.tensors[i].shape.length === 2);
    if (flat !== undefined && op.op !== 'FULLY_CONNECTED') throw new Error(`layer ${layer.name}: ${op.op} cannot read the flat tensor ${a.tensors[flat].name}`);
    spec.outputs = [a.activation(op.output, outputName(op, layer), outputShape(op, lowered.tensors[op.output]))];
    a.operators.push(spec);
  }
  let outputs = lowered.outputs.map((id) => a.read(id, 'output'));
  if (options.softmax) {
    outputs = outputs.map((logits) => {
      const t = a.tensors[logits];
      const probs = a.add({ name: `${t.name}/softmax`, shape: t.shape.slice(), type: 'float32' });
      a.operators.push({ op: 'SOFTMAX', inputs: [logits], outputs: [probs], options: { kind: 'softmax', beta: 1 } });
      return probs;
    });
  }
  return { description: options.description ?? 'cnas float32', tensors: a.tensors, operators: a.operators, inputs: [input], outputs };
}
