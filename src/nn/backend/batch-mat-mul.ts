import type { BatchMatMulAttrs, KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { composeKernels } from './kernel-scope.ts';
import type { KernelScope } from './kernel-scope.ts';

/** Swaps the last two axes. */
function transposeInner(scope: KernelScope, x: TensorInfo): TensorInfo {
  const perm = x.shape.map((_, i) => i);
  perm.push(...perm.splice(-2).reverse());
  return scope.transpose(x, perm);
}

/**
 * Wasm's BatchMatMul with a transposed operand runs a naive loop, ten times slower than its XNNPACK path
 * for plain operands; transposing the operand first and multiplying plainly is much faster.
 */
export function fastBatchMatMul(original: KernelFunc): KernelFunc {
  return (args) => {
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    if (!transposeA && !transposeB) return original(args);
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    return composeKernels(args.backend as KernelBackend, (scope) => {
      const inputs = { a: transposeA ? transposeInner(scope, a) : a, b: transposeB ? transposeInner(scope, b) : b };
      return scope.call(original, inputs, { ...args.attrs, transposeA: false, transposeB: false });
    });
  };
}
