import * as tf from '@tensorflow/tfjs';
import type { DepthwiseConv2dNativeBackpropInputAttrs, KernelBackend, KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { explicitPadding, fitAxisPadding } from './conv-geometry.ts';
import { composeKernels } from './kernel-scope.ts';
import type { KernelScope } from './kernel-scope.ts';
import { liveTaps, sliceLiveTaps } from './live-taps.ts';

type Shape4 = [number, number, number, number];

/**
 * The input gradient of an NHWC depthwise convolution (channel multiplier 1), which stock wasm lacks: dY,
 * zero-dilated by the stride, in a full depthwise correlation with the filter rotated by 180 degrees. Taps
 * that only ever meet padding are cropped off first.
 */
function depthwiseBackpropInput(args: { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: KernelBackend; attrs: NamedAttrMap }): TensorInfo {
  const { dy, filter } = args.inputs;
  const { strides, dilations, pad, dimRoundingMode, inputShape } = args.attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as Shape4, strides, dilations, pad, dimRoundingMode, true);
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1 || filter.shape[3] !== 1) {
    throw new Error('wasm DepthwiseConv2dNativeBackpropInput supports dilation 1 and channel multiplier 1 only');
  }
  return composeKernels(args.backend, (scope) => {
    const live = liveTaps(info);
    if (live === undefined) return fullCorrelation(scope, dy, filter, info);
    const liveFilter = sliceLiveTaps(scope, filter, live);
    const liveInfo = tf.backend_util.computeConv2DInfo(inputShape, liveFilter.shape as Shape4, strides, 1, live.pad, undefined, true);
    return fullCorrelation(scope, dy, liveFilter, liveInfo);
  });
}

function fullCorrelation(scope: KernelScope, dy: TensorInfo, filter: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { filterHeight, filterWidth, padInfo } = info;
  if (padInfo.top >= filterHeight || padInfo.left >= filterWidth) {
    throw new Error('wasm DepthwiseConv2dNativeBackpropInput needs padding smaller than the filter');
  }
  const spread = zeroDilate(scope, dy, info.strideHeight, info.strideWidth);
  const rows = fitAxisPadding(spread.shape[1], filterHeight - 1 - padInfo.top, filterHeight, info.inHeight);
  const cols = fitAxisPadding(spread.shape[2], filterWidth - 1 - padInfo.left, filterWidth, info.inWidth);
  const rotated = scope.run('Reverse', { x: filter }, { dims: [0, 1] });
  const dx = scope.run('DepthwiseConv2dNative', { x: spread, filter: rotated }, { strides: 1, dilations: 1, pad: explicitPadding(rows, cols) });
  return scope.crop(dx, info.inShape);
}

/** Puts `rowStride - 1` zero rows after every row (and likewise columns), with one reshape and one pad. */
function zeroDilate(scope: KernelScope, dy: TensorInfo, rowStride: number, colStride: number): TensorInfo {
  if (rowStride === 1 && colStride === 1) return dy;
  const [batch, rows, cols, channels] = dy.shape;
  const gapped = scope.run(
    'PadV2',
    { x: scope.reshape(dy, [batch, rows, 1, cols, 1, channels]) },
    {
      paddings: [
        [0, 0],
        [0, 0],
        [0, rowStride - 1],
        [0, 0],
        [0, colStride - 1],
        [0, 0],
      ],
      constantValue: 0,
    },
  );
  return scope.reshape(gapped, [batch, rows * rowStride, cols * colStride, channels]);
}

export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInput as unknown as KernelConfig['kernelFunc'],
};
