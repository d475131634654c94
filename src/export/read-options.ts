import { TfliteReadError } from './flat-reader.ts';
import type { Table } from './flat-reader.ts';
import type { OpOptions } from './model-spec.ts';
import { ACTIVATION_CODES, enumName, OPTIONS_TYPES, PADDING_CODES } from './schema.ts';
import type { FusedActivation, PaddingName } from './schema.ts';

/** Options as read: the tables this project knows, decoded; any other union member by its type number. */
export type ReadOptions = OpOptions | { kind: 'other'; type: number };

function padding(t: Table): PaddingName {
  const code = t.i8(0, 0);
  const name = enumName(PADDING_CODES, code);
  if (name === undefined) throw new TfliteReadError(`${t.what}: unknown padding ${code}`);
  return name;
}

function activation(t: Table, slot: number): FusedActivation {
  const code = t.i8(slot, 0);
  const name = enumName(ACTIVATION_CODES, code);
  if (name === undefined) throw new TfliteReadError(`${t.what}: unknown fused activation ${code}`);
  return name;
}

/** Decodes a BuiltinOptions table by its union type; defaults are the schema's. */
export function readOptions(type: number, t: Table): ReadOptions {
  switch (type) {
    case OPTIONS_TYPES.Conv2DOptions:
      return { kind: 'conv2d', padding: padding(t), strideW: t.i32(1, 0), strideH: t.i32(2, 0), activation: activation(t, 3), dilationW: t.i32(4, 1), dilationH: t.i32(5, 1) };
    case OPTIONS_TYPES.DepthwiseConv2DOptions:
      return {
        kind: 'depthwise_conv2d',
        padding: padding(t),
        strideW: t.i32(1, 0),
        strideH: t.i32(2, 0),
        depthMultiplier: t.i32(3, 0),
        activation: activation(t, 4),
        dilationW: t.i32(5, 1),
        dilationH: t.i32(6, 1),
      };
    case OPTIONS_TYPES.Pool2DOptions:
      return { kind: 'pool2d', padding: padding(t), strideW: t.i32(1, 0), strideH: t.i32(2, 0), filterW: t.i32(3, 0), filterH: t.i32(4, 0), activation: activation(t, 5) };
    case OPTIONS_TYPES.FullyConnectedOptions:
      return { kind: 'fully_connected', activation: activation(t, 0), keepNumDims: t.u8(2, 0) !== 0 };
    case OPTIONS_TYPES.SoftmaxOptions:
      return { kind: 'softmax', beta: t.f32(0, 0) };
    case OPTIONS_TYPES.AddOptions:
      return { kind: 'add', activation: activation(t, 0) };
    case OPTIONS_TYPES.MulOptions:
      return { kind: 'mul', activation: activation(t, 0) };
    case OPTIONS_TYPES.ReshapeOptions:
      return { kind: 'reshape', newShape: t.ints(0, `${t.what} new_shape`) };
    case OPTIONS_TYPES.ReducerOptions:
      return { kind: 'reducer', keepDims: t.u8(0, 0) !== 0 };
    case OPTIONS_TYPES.PadOptions:
      return { kind: 'empty', table: 'PadOptions' };
    case OPTIONS_TYPES.QuantizeOptions:
      return { kind: 'empty', table: 'QuantizeOptions' };
    case OPTIONS_TYPES.DequantizeOptions:
      return { kind: 'empty', table: 'DequantizeOptions' };
    case OPTIONS_TYPES.HardSwishOptions:
      return { kind: 'empty', table: 'HardSwishOptions' };
    default:
      return { kind: 'other', type };
  }
}
