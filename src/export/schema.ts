/**
 * The numbers of the TFLite flatbuffer schema (`schema.fbs`) that the writer and the reader share: tensor
 * types, builtin operator codes, the BuiltinOptions union and the small enums. Names are the schema's.
 */

/** TensorType, by name; the value is the schema's enum value. */
export const TENSOR_TYPE_CODES = {
  float32: 0,
  float16: 1,
  int32: 2,
  uint8: 3,
  int64: 4,
  string: 5,
  bool: 6,
  int16: 7,
  complex64: 8,
  int8: 9,
  float64: 10,
  complex128: 11,
  uint64: 12,
  resource: 13,
  variant: 14,
  uint32: 15,
  uint16: 16,
  int4: 17,
  bfloat16: 18,
} as const;

export type TensorType = keyof typeof TENSOR_TYPE_CODES;

const TENSOR_TYPE_BY_CODE = new Map<number, TensorType>(Object.entries(TENSOR_TYPE_CODES).map(([name, code]) => [code, name as TensorType]));

export function tensorTypeName(code: number): TensorType | undefined {
  return TENSOR_TYPE_BY_CODE.get(code);
}

/**
 * Bytes per element; 0 where an element has no fixed size (strings, resources, variants). int4 packs two
 * elements per byte, so its tensors are sized with `tensorDataBytes`.
 */
const ELEMENT_BYTES: Record<TensorType, number> = {
  float32: 4,
  float16: 2,
  int32: 4,
  uint8: 1,
  int64: 8,
  string: 0,
  bool: 1,
  int16: 2,
  complex64: 8,
  int8: 1,
  float64: 8,
  complex128: 16,
  uint64: 8,
  resource: 0,
  variant: 0,
  uint32: 4,
  uint16: 2,
  int4: 0.5,
  bfloat16: 2,
};

/** Bytes a dense tensor of `elements` elements occupies, or undefined for types without a fixed size. */
export function tensorDataBytes(type: TensorType, elements: number): number | undefined {
  const size = ELEMENT_BYTES[type];
  return size === 0 ? undefined : Math.ceil(elements * size);
}

/**
 * BuiltinOperator codes of the operators this project writes, plus the common ones a reader meets in
 * microcontroller models; other codes are reported by number.
 */
export const OPERATOR_CODES = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONCATENATION: 2,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEQUANTIZE: 6,
  FULLY_CONNECTED: 9,
  L2_NORMALIZATION: 11,
  LOGISTIC: 14,
  MAX_POOL_2D: 17,
  MUL: 18,
  RELU: 19,
  RELU6: 21,
  RESHAPE: 22,
  SOFTMAX: 25,
  TANH: 28,
  PAD: 34,
  TRANSPOSE: 39,
  MEAN: 40,
  SUB: 41,
  SQUEEZE: 43,
  STRIDED_SLICE: 45,
  ARG_MAX: 56,
  TRANSPOSE_CONV: 67,
  LEAKY_RELU: 98,
  QUANTIZE: 114,
  HARD_SWISH: 117,
  BATCH_MATMUL: 126,
} as const;

export type OperatorName = keyof typeof OPERATOR_CODES;

const OPERATOR_BY_CODE = new Map<number, OperatorName>(Object.entries(OPERATOR_CODES).map(([name, code]) => [code, name as OperatorName]));

/** A readable name for any builtin code: the schema's name where known, `BUILTIN_<code>` otherwise. */
export function operatorName(code: number): string {
  return OPERATOR_BY_CODE.get(code) ?? `BUILTIN_${code}`;
}

/** Codes above this do not fit the deprecated int8 opcode field, which then holds this placeholder. */
export const PLACEHOLDER_FOR_GREATER_OP_CODES = 127;

/** Positions in the BuiltinOptions union (NONE = 0) of the option tables the writer and reader know. */
export const OPTIONS_TYPES = {
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  ConcatenationOptions: 10,
  AddOptions: 11,
  ReshapeOptions: 17,
  MulOptions: 21,
  PadOptions: 22,
  ReducerOptions: 27,
  SubOptions: 28,
  SqueezeOptions: 30,
  DequantizeOptions: 38,
  QuantizeOptions: 89,
  HardSwishOptions: 91,
} as const;

export const PADDING_CODES = { SAME: 0, VALID: 1 } as const;
export type PaddingName = keyof typeof PADDING_CODES;

export const ACTIVATION_CODES = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4, SIGN_BIT: 5 } as const;
export type FusedActivation = keyof typeof ACTIVATION_CODES;

/** Reverse lookup in one of the small enums above. */
export function enumName<K extends string>(table: Readonly<Record<K, number>>, code: number): K | undefined {
  return (Object.keys(table) as K[]).find((k) => table[k] === code);
}

export const SCHEMA_VERSION = 3;
export const FILE_IDENTIFIER = 'TFL3';
