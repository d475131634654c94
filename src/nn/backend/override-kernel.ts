import * as tf from '@tensorflow/tfjs';
import type { KernelFunc } from '@tensorflow/tfjs';

/**
 * Replaces wasm's `kernelName` with `makeKernelFunc(original)`, so the replacement can hand the cases it does
 * not speed up back to the stock kernel. The original's setup function is kept: it binds the wasm entry point
 * the original calls.
 */
export function overrideWasmKernel(kernelName: string, makeKernelFunc: (original: KernelFunc) => KernelFunc): void {
  const original = tf.getKernel(kernelName, 'wasm');
  if (original === undefined) throw new Error(`cannot override ${kernelName}: wasm has no such kernel`);
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ ...original, kernelFunc: makeKernelFunc(original.kernelFunc) });
}
