import type { ModelSpec, OperatorSpec } from './model-spec.ts';

/**
 * The operator version the reference converter records (tensorflow/lite/tools/versioning/op_version.cc) for
 * the signatures this project writes. TFLite Micro ignores versions, but the full runtime on Linux boards
 * refuses an operator whose version its kernel registry lacks, so a version must never overstate what the
 * operator needs.
 */
export function operatorVersion(op: OperatorSpec, model: ModelSpec): number {
  const type = (index: number) => (index >= 0 ? model.tensors[index].type : undefined);
  const int8 = type(op.inputs[0]) === 'int8';
  switch (op.op) {
    case 'CONV_2D':
    case 'DEPTHWISE_CONV_2D':
      return int8 ? 3 : 1;
    case 'FULLY_CONNECTED':
      if (op.inputs.length === 2) return 6;
      if (op.options?.kind === 'fully_connected' && op.options.keepNumDims) return 5;
      return int8 ? 4 : 1;
    case 'MUL': {
      if (!int8) return 1;
      const [a, b] = op.inputs.map((i) => model.tensors[i].quant?.scale[0] ?? 0);
      const out = model.tensors[op.outputs[0]].quant?.scale[0] ?? 0;
      // version 3 adds requantisation multipliers of 1 and above
      return a !== 0 && b !== 0 && out !== 0 && (a * b) / out >= 1 ? 3 : 2;
    }
    case 'QUANTIZE':
      return (model.tensors[op.outputs[0]].quant?.scale.length ?? 1) > 1 ? 3 : 1;
    case 'DEQUANTIZE':
      if (!int8) return 1;
      return (model.tensors[op.inputs[0]].quant?.scale.length ?? 1) > 1 ? 5 : 2;
    case 'ADD':
    case 'SUB':
    case 'MAX_POOL_2D':
    case 'AVERAGE_POOL_2D':
    case 'PAD':
    case 'MEAN':
    case 'SOFTMAX':
    case 'RELU':
    case 'RELU6':
    case 'LOGISTIC':
    case 'TANH':
    case 'CONCATENATION':
      return int8 ? 2 : 1;
    default:
      return 1;
  }
}
