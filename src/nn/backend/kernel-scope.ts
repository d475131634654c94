import * as tf from '@tensorflow/tfjs';
import type { KernelBackend, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';

/**
 * Runs other wasm kernels from inside a wasm kernel. Calling the registered kernel functions directly, as
 * tfjs-backend-wasm's own kernels do, keeps the engine out of the loop: every intermediate is plain backend
 * data owned by this scope, so the scope frees it, and only the result handed back to the engine survives.
 */
export class KernelScope {
  private readonly owned: TensorInfo[] = [];

  constructor(readonly backend: KernelBackend) {}

  run(kernelName: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const kernel = tf.getKernel(kernelName, 'wasm');
    if (kernel === undefined) throw new Error(`kernel ${kernelName} is not registered for wasm`);
    return this.call(kernel.kernelFunc, inputs, attrs);
  }

  /** Runs a kernel function that is not (or no longer) registered, such as the stock kernel an override replaced. */
  call(kernelFunc: KernelFunc, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const out = kernelFunc({ inputs, backend: this.backend, attrs });
    if (Array.isArray(out)) throw new Error('KernelScope composes single-output kernels only');
    this.owned.push(out);
    return out;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  /** Plain product of two matrices through BatchMatMul's fast (untransposed) path. */
  matMul(a: TensorInfo, b: TensorInfo): TensorInfo {
    const [rows, inner] = a.shape;
    const product = this.run(
      'BatchMatMul',
      { a: this.reshape(a, [1, rows, inner]), b: this.reshape(b, [1, inner, b.shape[1]]) },
      { transposeA: false, transposeB: false },
    );
    return this.reshape(product, [rows, b.shape[1]]);
  }

  /**
   * `x[0:size[0], 0:size[1], ...]` of an intermediate of this scope (returned as is when nothing is cut); only
   * for small tensors, as wasm's Slice copies its whole input off the heap.
   */
  crop(x: TensorInfo, size: number[]): TensorInfo {
    if (size.every((s, i) => s === x.shape[i])) return x;
    return this.run('Slice', { x }, { begin: size.map(() => 0), size });
  }

  /** Frees every intermediate but `result`; data that `result` shares with one (a reshape) stays referenced. */
  release(result?: TensorInfo): void {
    for (const info of this.owned) if (info !== result) this.backend.disposeData(info.dataId);
    this.owned.length = 0;
  }
}

/** Runs `body` in a fresh scope and returns its result to the engine, freeing the intermediates even on error. */
export function composeKernels(backend: KernelBackend, body: (scope: KernelScope) => TensorInfo): TensorInfo {
  const scope = new KernelScope(backend);
  let result: TensorInfo | undefined;
  try {
    result = body(scope);
    return result;
  } finally {
    scope.release(result);
  }
}
