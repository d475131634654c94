import type { backend_util } from '@tensorflow/tfjs';

type ExplicitPadding = backend_util.ExplicitPadding;

/** Zero padding of one spatial axis for a stride-1 correlation, and the trailing outputs it leaves over. */
export interface AxisPadding {
  before: number;
  after: number;
  /** Outputs past the wanted count that even zero padding after cannot avoid; the caller crops them. */
  excess: number;
}

/**
 * Padding that makes a stride-1 correlation of an axis of `length` values with a window spanning `extent`
 * values yield `outputs` values, given the padding `before`. Gradient kernels written as correlations need
 * it because a forward convolution may leave trailing input rows unread.
 */
export function fitAxisPadding(length: number, before: number, extent: number, outputs: number): AxisPadding {
  const after = outputs - 1 + extent - length - before;
  return after >= 0 ? { before, after, excess: 0 } : { before, after: 0, excess: -after };
}

export function explicitPadding(rows: AxisPadding, cols: AxisPadding): ExplicitPadding {
  return [
    [0, 0],
    [rows.before, rows.after],
    [cols.before, cols.after],
    [0, 0],
  ];
}

/** A 1x1, stride-1, unpadded convolution: a matrix product over pixels. */
export function isPointwise(info: backend_util.Conv2DInfo): boolean {
  const { padInfo } = info;
  return (
    info.filterHeight === 1 &&
    info.filterWidth === 1 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    padInfo.top + padInfo.bottom + padInfo.left + padInfo.right === 0
  );
}
