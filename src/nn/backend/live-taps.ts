import type { backend_util, TensorInfo } from '@tensorflow/tfjs';
import type { KernelScope } from './kernel-scope.ts';

type ExplicitPadding = backend_util.ExplicitPadding;

/** The part of a filter whose taps ever touch the input, and the padding that keeps the output the same. */
export interface LiveTaps {
  begin: [number, number];
  size: [number, number];
  pad: ExplicitPadding;
}

interface AxisTaps {
  first: number;
  count: number;
  before: number;
  after: number;
}

function liveAxisTaps(inSize: number, taps: number, stride: number, before: number, after: number, outSize: number): AxisTaps {
  const first = Math.max(0, before - (outSize - 1) * stride);
  const last = Math.min(taps - 1, inSize - 1 + before);
  const whole = { first: 0, count: taps, before, after };
  if (first === 0 && last === taps - 1) return whole;
  const count = last - first + 1;
  const croppedBefore = before - first;
  const croppedAfter = Math.max(0, (outSize - 1) * stride + count - inSize - croppedBefore);
  const croppedOutSize = Math.floor((inSize + croppedBefore + croppedAfter - count) / stride) + 1;
  return croppedOutSize === outSize ? { first, count, before: croppedBefore, after: croppedAfter } : whole;
}

/**
 * Taps that only ever meet padding contribute nothing, yet cost as much as live ones: a 7x7 depthwise
 * filter on a 1x1 map does 49 times the necessary work. Returns the live part of the filter of an undilated
 * convolution with the padding that gives the same output, or undefined when every tap is live.
 */
export function liveTaps(info: backend_util.Conv2DInfo): LiveTaps | undefined {
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  const { padInfo } = info;
  const rows = liveAxisTaps(info.inHeight, info.filterHeight, info.strideHeight, padInfo.top, padInfo.bottom, info.outHeight);
  const cols = liveAxisTaps(info.inWidth, info.filterWidth, info.strideWidth, padInfo.left, padInfo.right, info.outWidth);
  if (rows.count === info.filterHeight && cols.count === info.filterWidth) return undefined;
  return {
    begin: [rows.first, cols.first],
    size: [rows.count, cols.count],
    pad: [
      [0, 0],
      [rows.before, rows.after],
      [cols.before, cols.after],
      [0, 0],
    ],
  };
}

/** The live part of an [height, width, channels, multiplier] filter. */
export function sliceLiveTaps(scope: KernelScope, filter: TensorInfo, live: LiveTaps): TensorInfo {
  const [, , channels, multiplier] = filter.shape;
  return scope.run('Slice', { x: filter }, { begin: [...live.begin, 0, 0], size: [...live.size, channels, multiplier] });
}
