import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, KernelBackend, KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { explicitPadding, fitAxisPadding, isPointwise } from './conv-geometry.ts';
import { composeKernels } from './kernel-scope.ts';
import type { KernelScope } from './kernel-scope.ts';

type Shape4 = [number, number, number, number];

/**
 * The weight gradient of a regular NHWC convolution, which stock wasm lacks, composed from kernels wasm has.
 * A pointwise convolution's gradient is the matrix product X^T dY over all pixels; any other is itself a
 * correlation of X with dY once batch and channel axes swap places, the forward stride becoming a dilation.
 */
function conv2dBackpropFilter(args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: KernelBackend; attrs: NamedAttrMap }): TensorInfo {
  const { x, dy } = args.inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  if (dataFormat !== 'NHWC') throw new Error(`wasm Conv2DBackpropFilter supports NHWC only, not ${dataFormat}`);
  const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, filterShape, strides, 1, pad, dimRoundingMode);
  return composeKernels(args.backend, (scope) =>
    isPointwise(info) ? pointwiseFilterGradient(scope, x, dy, filterShape) : correlationFilterGradient(scope, x, dy, info),
  );
}

/**
 * Both X and dY hold pixels outermost, so one of them must be transposed for the product over pixels.
 * Wasm transposes more slowly per element than XNNPACK packs the other operand, so the narrower one goes.
 */
function pointwiseFilterGradient(scope: KernelScope, x: TensorInfo, dy: TensorInfo, filterShape: Shape4): TensorInfo {
  const [, , inChannels, outChannels] = filterShape;
  const pixels = x.shape[0] * x.shape[1] * x.shape[2];
  const xs = scope.reshape(x, [pixels, inChannels]);
  const dys = scope.reshape(dy, [pixels, outChannels]);
  const gradient =
    inChannels <= outChannels
      ? scope.matMul(scope.transpose(xs, [1, 0]), dys)
      : scope.transpose(scope.matMul(scope.transpose(dys, [1, 0]), xs), [1, 0]);
  return scope.reshape(gradient, filterShape);
}

function correlationFilterGradient(scope: KernelScope, x: TensorInfo, dy: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const rows = fitAxisPadding(info.inHeight, padInfo.top, (info.outHeight - 1) * strideHeight + 1, filterHeight);
  const cols = fitAxisPadding(info.inWidth, padInfo.left, (info.outWidth - 1) * strideWidth + 1, filterWidth);
  const gradient = scope.run(
    'Conv2D',
    { x: scope.transpose(x, [3, 1, 2, 0]), filter: scope.transpose(dy, [1, 2, 0, 3]) },
    {
      strides: 1,
      dilations: [strideHeight, strideWidth],
      pad: explicitPadding(rows, cols),
      dataFormat: 'NHWC',
    },
  );
  const cropped = scope.crop(gradient, [info.inChannels, filterHeight, filterWidth, info.outChannels]);
  return scope.transpose(cropped, [1, 2, 0, 3]);
}

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as KernelConfig['kernelFunc'],
};
