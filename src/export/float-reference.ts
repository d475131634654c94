import { readFloat32, readInt32 } from './bytes.ts';
import { elementCount } from './model-spec.ts';
import type { ModelSpec, OperatorSpec } from './model-spec.ts';
import { broadcast, conv2d, depthwiseConv2d, fullyConnected, hardSwish, maxPool, meanHw, pad, softmax } from './reference-ops.ts';
import type { Shape4 } from './reference-ops.ts';

/**
 * Runs a float32 ModelSpec (the operators the float builder emits) on one sample at a time, and can report
 * every tensor it computes: the calibration pass of post-training quantisation, independent of any runtime.
 */
export class FloatReference {
  private readonly constants = new Map<number, Float32Array | Int32Array>();

  constructor(private readonly model: ModelSpec) {
    model.tensors.forEach((t, i) => {
      if (t.data === undefined) return;
      if (t.type === 'float32') this.constants.set(i, readFloat32(t.data));
      else if (t.type === 'int32') this.constants.set(i, readInt32(t.data));
      else throw new Error(`float reference: constant ${t.name} is ${t.type}; only float32 models run here`);
    });
  }

  /**
   * Outputs for one NHWC sample, in model output order. `visit` sees every activation tensor (the input
   * included) as it is computed.
   */
  run(input: Float32Array, visit?: (tensor: number, values: Float32Array) => void): Float32Array[] {
    const values: (Float32Array | undefined)[] = [];
    const [inputIndex] = this.model.inputs;
    if (input.length !== elementCount(this.model.tensors[inputIndex].shape)) {
      throw new Error(`float reference: input has ${input.length} values, the model takes ${this.model.tensors[inputIndex].shape}`);
    }
    values[inputIndex] = input;
    visit?.(inputIndex, input);
    for (const op of this.model.operators) {
      const out = this.step(op, values);
      values[op.outputs[0]] = out;
      visit?.(op.outputs[0], out);
    }
    return this.model.outputs.map((o) => values[o]!);
  }

  private step(op: OperatorSpec, values: readonly (Float32Array | undefined)[]): Float32Array {
    const tensors = this.model.tensors;
    const get = (k: number): Float32Array => {
      const i = op.inputs[k];
      const v = values[i] ?? this.constants.get(i);
      if (!(v instanceof Float32Array)) throw new Error(`float reference: ${op.op} input ${k} (${tensors[i]?.name}) is not a float32 tensor`);
      return v;
    };
    const shape4 = (i: number) => tensors[i].shape as unknown as Shape4;
    const inShape = shape4(op.inputs[0]);
    const outShape = shape4(op.outputs[0]);
    const o = op.options;
    switch (op.op) {
      case 'CONV_2D':
      case 'DEPTHWISE_CONV_2D': {
        if (o?.kind !== 'conv2d' && o?.kind !== 'depthwise_conv2d') break;
        const args = {
          input: get(0),
          inShape,
          filter: get(1),
          filterShape: tensors[op.inputs[1]].shape,
          bias: op.inputs[2] >= 0 ? get(2) : undefined,
          outShape,
          stride: o.strideH,
          padding: o.padding,
          act: o.activation,
        };
        return op.op === 'CONV_2D' ? conv2d(args) : depthwiseConv2d(args);
      }
      case 'FULLY_CONNECTED':
        if (o?.kind !== 'fully_connected') break;
        return fullyConnected(get(0), get(1), tensors[op.inputs[1]].shape, op.inputs[2] >= 0 ? get(2) : undefined, o.activation);
      case 'PAD':
        return pad(get(0), inShape, this.constants.get(op.inputs[1]) as Int32Array);
      case 'MEAN':
        return meanHw(get(0), inShape);
      case 'MAX_POOL_2D':
        if (o?.kind !== 'pool2d') break;
        return maxPool(get(0), inShape, outShape, o.filterH, o.strideH);
      case 'MUL':
        return broadcast(get(0), tensors[op.inputs[0]].shape, get(1), tensors[op.inputs[1]].shape, outShape, (x, y) => x * y);
      case 'ADD':
        return broadcast(get(0), tensors[op.inputs[0]].shape, get(1), tensors[op.inputs[1]].shape, outShape, (x, y) => x + y);
      case 'HARD_SWISH':
        return hardSwish(get(0));
      case 'RELU':
        return get(0).map((x) => (x > 0 ? x : 0));
      case 'RESHAPE':
        return get(0).slice();
      case 'SOFTMAX':
        if (o?.kind !== 'softmax') break;
        return softmax(get(0), outShape[outShape.length - 1], o.beta);
    }
    throw new Error(`float reference: ${op.op} is not supported`);
  }
}
