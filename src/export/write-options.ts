import type { Builder, Offset } from 'flatbuffers';
import type { OpOptions } from './model-spec.ts';
import { ACTIVATION_CODES, OPTIONS_TYPES, PADDING_CODES } from './schema.ts';
import { int32Vector } from './write-vectors.ts';

/** Writes one BuiltinOptions table; slots follow the schema's declaration order. */
export function writeOptions(b: Builder, options: OpOptions): { type: number; offset: Offset } {
  switch (options.kind) {
    case 'conv2d': {
      b.startObject(6);
      b.addFieldInt8(0, PADDING_CODES[options.padding], 0);
      b.addFieldInt32(1, options.strideW, 0);
      b.addFieldInt32(2, options.strideH, 0);
      b.addFieldInt8(3, ACTIVATION_CODES[options.activation], 0);
      b.addFieldInt32(4, options.dilationW, 1);
      b.addFieldInt32(5, options.dilationH, 1);
      return { type: OPTIONS_TYPES.Conv2DOptions, offset: b.endObject() };
    }
    case 'depthwise_conv2d': {
      b.startObject(7);
      b.addFieldInt8(0, PADDING_CODES[options.padding], 0);
      b.addFieldInt32(1, options.strideW, 0);
      b.addFieldInt32(2, options.strideH, 0);
      b.addFieldInt32(3, options.depthMultiplier, 0);
      b.addFieldInt8(4, ACTIVATION_CODES[options.activation], 0);
      b.addFieldInt32(5, options.dilationW, 1);
      b.addFieldInt32(6, options.dilationH, 1);
      return { type: OPTIONS_TYPES.DepthwiseConv2DOptions, offset: b.endObject() };
    }
    case 'pool2d': {
      b.startObject(6);
      b.addFieldInt8(0, PADDING_CODES[options.padding], 0);
      b.addFieldInt32(1, options.strideW, 0);
      b.addFieldInt32(2, options.strideH, 0);
      b.addFieldInt32(3, options.filterW, 0);
      b.addFieldInt32(4, options.filterH, 0);
      b.addFieldInt8(5, ACTIVATION_CODES[options.activation], 0);
      return { type: OPTIONS_TYPES.Pool2DOptions, offset: b.endObject() };
    }
    case 'fully_connected': {
      b.startObject(4);
      b.addFieldInt8(0, ACTIVATION_CODES[options.activation], 0);
      b.addFieldInt8(2, Number(options.keepNumDims), 0);
      return { type: OPTIONS_TYPES.FullyConnectedOptions, offset: b.endObject() };
    }
    case 'softmax': {
      b.startObject(1);
      b.addFieldFloat32(0, options.beta, 0);
      return { type: OPTIONS_TYPES.SoftmaxOptions, offset: b.endObject() };
    }
    case 'add': {
      b.startObject(2);
      b.addFieldInt8(0, ACTIVATION_CODES[options.activation], 0);
      return { type: OPTIONS_TYPES.AddOptions, offset: b.endObject() };
    }
    case 'mul': {
      b.startObject(1);
      b.addFieldInt8(0, ACTIVATION_CODES[options.activation], 0);
      return { type: OPTIONS_TYPES.MulOptions, offset: b.endObject() };
    }
    case 'reshape': {
      const shape = int32Vector(b, options.newShape);
      b.startObject(1);
      b.addFieldOffset(0, shape, 0);
      return { type: OPTIONS_TYPES.ReshapeOptions, offset: b.endObject() };
    }
    case 'reducer': {
      b.startObject(1);
      b.addFieldInt8(0, Number(options.keepDims), 0);
      return { type: OPTIONS_TYPES.ReducerOptions, offset: b.endObject() };
    }
    case 'empty': {
      b.startObject(0);
      return { type: OPTIONS_TYPES[options.table], offset: b.endObject() };
    }
  }
}
