import * as tf from '@tensorflow/tfjs';
import type { DepthwiseConv2dNativeAttrs, KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { composeKernels } from './kernel-scope.ts';
import { liveTaps, sliceLiveTaps } from './live-taps.ts';

/**
 * Wasm's depthwise convolution does the work of every tap, even those that only ever meet padding, which on
 * the small maps of a 32 px network is most of a 5x5 or 7x7 filter. This runs the stock kernel on the live
 * taps only, with padding adjusted so the output is the same.
 */
export function fastDepthwiseConv2d(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const { strides, dilations, pad, dimRoundingMode, dataFormat } = args.attrs as unknown as DepthwiseConv2dNativeAttrs;
    if (dataFormat === 'NCHW') return original(args);
    const shape = (t: TensorInfo) => t.shape as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(shape(x), shape(filter), strides, dilations ?? 1, pad, dimRoundingMode, true);
    const live = liveTaps(info);
    if (live === undefined) return original(args);
    return composeKernels(args.backend as KernelBackend, (scope) =>
      scope.call(original, { x, filter: sliceLiveTaps(scope, filter, live) }, { strides, dilations: 1, pad: live.pad }),
    );
  };
}
