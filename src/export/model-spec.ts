import type { FusedActivation, OperatorName, PaddingName, TensorType } from './schema.ts';

/**
 * A TFLite model as plain data, one subgraph: what the builders produce, the quantiser transforms, the
 * checker inspects and the writer serialises. The reader returns the same shapes of data, so a round trip
 * compares like with like.
 */

/** real = (q - zeroPoint) * scale; one entry per slice along `quantizedDimension`, or one for per-tensor. */
export interface QuantParams {
  scale: number[];
  zeroPoint: number[];
  quantizedDimension: number;
}

export interface TensorSpec {
  name: string;
  /** With the batch axis: activations are [1, h, w, c] or [1, n]. */
  shape: number[];
  type: TensorType;
  /** Constant data, little-endian; absent for activations. */
  data?: Uint8Array;
  quant?: QuantParams;
}

export type OpOptions =
  | { kind: 'conv2d'; padding: PaddingName; strideW: number; strideH: number; activation: FusedActivation; dilationW: number; dilationH: number }
  | {
      kind: 'depthwise_conv2d';
      padding: PaddingName;
      strideW: number;
      strideH: number;
      depthMultiplier: number;
      activation: FusedActivation;
      dilationW: number;
      dilationH: number;
    }
  | { kind: 'pool2d'; padding: PaddingName; strideW: number; strideH: number; filterW: number; filterH: number; activation: FusedActivation }
  | { kind: 'fully_connected'; activation: FusedActivation; keepNumDims: boolean }
  | { kind: 'softmax'; beta: number }
  | { kind: 'add'; activation: FusedActivation }
  | { kind: 'mul'; activation: FusedActivation }
  | { kind: 'reshape'; newShape: number[] }
  | { kind: 'reducer'; keepDims: boolean }
  | { kind: 'empty'; table: 'PadOptions' | 'QuantizeOptions' | 'DequantizeOptions' | 'HardSwishOptions' };

export interface OperatorSpec {
  op: OperatorName;
  /** Tensor indices; -1 marks an absent optional input (a missing bias). */
  inputs: number[];
  outputs: number[];
  options?: OpOptions;
}

export interface ModelSpec {
  description: string;
  tensors: TensorSpec[];
  /** In execution order. */
  operators: OperatorSpec[];
  inputs: number[];
  outputs: number[];
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
