import * as tf from '@tensorflow/tfjs';
import type { DepthwiseConv2dNativeBackpropFilterAttrs, KernelBackend, KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { explicitPadding, fitAxisPadding } from './conv-geometry.ts';
import { fastTapShape } from './fast-taps.ts';
import { composeKernels } from './kernel-scope.ts';
import type { KernelScope } from './kernel-scope.ts';
import { liveTaps } from './live-taps.ts';

type Shape4 = [number, number, number, number];

/**
 * The weight gradient of an NHWC depthwise convolution (channel multiplier 1), which stock wasm lacks. Folding
 * the batch into the channel axis turns it into one depthwise correlation of X with dY as the filter (the
 * forward stride becoming a dilation), giving a per-image gradient that a contiguous sum over the batch
 * finishes. Taps that only ever meet padding get zeros without being computed.
 */
function depthwiseBackpropFilter(args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: KernelBackend; attrs: NamedAttrMap }): TensorInfo {
  const { x, dy } = args.inputs;
  const { strides, dilations, pad, dimRoundingMode, filterShape } = args.attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, filterShape, strides, dilations, pad, dimRoundingMode, true);
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1 || filterShape[3] !== 1) {
    throw new Error('wasm DepthwiseConv2dNativeBackpropFilter supports dilation 1 and channel multiplier 1 only');
  }
  return composeKernels(args.backend, (scope) => {
    const live = liveTaps(info);
    if (live === undefined) return correlate(scope, x, dy, info);
    const liveShape: Shape4 = [...live.size, filterShape[2], 1];
    const liveInfo = tf.backend_util.computeConv2DInfo(x.shape as Shape4, liveShape, strides, 1, live.pad, undefined, true);
    const [top, left] = live.begin;
    const paddings = [
      [top, filterShape[0] - top - live.size[0]],
      [left, filterShape[1] - left - live.size[1]],
      [0, 0],
      [0, 0],
    ];
    return scope.run('PadV2', { x: correlate(scope, x, dy, liveInfo) }, { paddings, constantValue: 0 });
  });
}

function correlate(scope: KernelScope, x: TensorInfo, dy: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const folded = inChannels * batchSize;
  const image = scope.reshape(scope.transpose(x, [1, 2, 3, 0]), [1, inHeight, inWidth, folded]);
  // dY is the filter here, one tap per output pixel; zero taps that round it up to a fast shape cost less than they add.
  const [tapRows, tapCols] = fastTapShape(outHeight, outWidth);
  const taps = scope.reshape(scope.transpose(dy, [1, 2, 3, 0]), [outHeight, outWidth, folded, 1]);
  const filter =
    tapRows === outHeight && tapCols === outWidth
      ? taps
      : scope.run('PadV2', { x: taps }, { paddings: [[0, tapRows - outHeight], [0, tapCols - outWidth], [0, 0], [0, 0]], constantValue: 0 });
  const rows = fitAxisPadding(inHeight, padInfo.top, (tapRows - 1) * strideHeight + 1, filterHeight);
  const cols = fitAxisPadding(inWidth, padInfo.left, (tapCols - 1) * strideWidth + 1, filterWidth);
  const perImage = scope.run(
    'DepthwiseConv2dNative',
    { x: image, filter },
    { strides: 1, dilations: [strideHeight, strideWidth], pad: explicitPadding(rows, cols) },
  );
  const [, height, width] = perImage.shape;
  const summed = scope.run('Sum', { x: scope.reshape(perImage, [height, width, inChannels, batchSize]) }, { axis: 3, keepDims: false });
  return scope.reshape(scope.crop(summed, [filterHeight, filterWidth, inChannels]), [filterHeight, filterWidth, inChannels, 1]);
}

export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter as unknown as KernelConfig['kernelFunc'],
};
