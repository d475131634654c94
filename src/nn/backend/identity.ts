import type { KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

/**
 * Wasm's Identity copies its input, and the engine runs it for every tf.clone, including each tensor a
 * custom gradient saves for its backward pass. Tensor data is immutable, so sharing it (counted, as
 * Reshape does) gives the same result without the copy; the cpu and webgl backends do the same.
 */
export function sharingIdentity(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === 'string') return original(args);
    (args.backend as KernelBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}
