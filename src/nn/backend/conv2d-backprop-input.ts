import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropInputAttrs, KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { isPointwise } from './conv-geometry.ts';
import { composeKernels } from './kernel-scope.ts';

/**
 * Wasm's Conv2DBackpropInput is a naive loop. For a pointwise convolution (stride 1, no padding) the input
 * gradient is the matrix product dY W^T over all pixels, which XNNPACK runs far faster; other convolutions
 * keep the stock kernel.
 */
export function fastConv2dBackpropInput(original: KernelFunc): KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as Conv2DBackpropInputAttrs;
    const filterShape = filter.shape as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(inputShape, filterShape, strides, 1, pad, dimRoundingMode);
    if (dataFormat !== 'NHWC' || !isPointwise(info)) return original(args);
    const [, , inChannels, outChannels] = filterShape;
    const pixels = tf.util.sizeFromShape(dy.shape) / outChannels;
    return composeKernels(args.backend as KernelBackend, (scope) => {
      const filter2d = scope.reshape(filter, [inChannels, outChannels]);
      const dy2d = scope.reshape(dy, [pixels, outChannels]);
      // dY W^T transposes (and XNNPACK packs) the filter; (W dY^T)^T transposes dY and the result instead,
      // which moves less data when the layer has fewer pixels than a filter has weights per pixel row.
      const dx =
        pixels * (inChannels + outChannels) < inChannels * outChannels
          ? scope.transpose(scope.matMul(filter2d, scope.transpose(dy2d, [1, 0])), [1, 0])
          : scope.matMul(dy2d, scope.transpose(filter2d, [1, 0]));
      return scope.reshape(dx, inputShape);
    });
  };
}
