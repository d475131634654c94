import type { TensorRange } from './calibrate.ts';
import type { QuantParams } from './model-spec.ts';

/**
 * The arithmetic of TFLite's int8 scheme. Scales are rounded to float32 here, because the file stores
 * float32 and the runtime checks bias scales against the stored values.
 */

const INT32_MAX = 2 ** 31 - 1;

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * Asymmetric per-tensor params for an activation range. The range is widened to contain 0, so that zero
 * (padding, ReLU's floor) is exactly representable; an all-zero tensor gets an arbitrary positive scale.
 */
export function activationParams(r: TensorRange): QuantParams {
  const lo = Math.min(r.min, 0);
  const hi = Math.max(r.max, 0);
  const scale = Math.fround(hi > lo ? (hi - lo) / 255 : 1 / 255);
  // `| 0` turns a rounded -0 into 0, which the file stores anyway
  const zeroPoint = clamp(Math.round(-128 - lo / scale), -128, 127) | 0;
  return { scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 };
}

/**
 * TFLite's int8 ADD and SUB rescale both inputs to twice the larger input scale with 20 bits of headroom and
 * abort unless the output multiplier 2 max(s1, s2) / (2^20 s_out) is below 1. This widens an output scale that
 * would break that (only a network whose activations nearly vanish gets there).
 */
export function addOutputParams(out: QuantParams, inputScales: readonly number[]): QuantParams {
  const floor = addOutputScaleFloor(inputScales);
  return out.scale[0] > floor ? out : { ...out, scale: [Math.fround(floor * 1.01)] };
}

export function addOutputScaleFloor(inputScales: readonly number[]): number {
  return (2 * Math.max(...inputScales)) / 2 ** 20;
}

export function quantizeActivation(v: number, q: QuantParams): number {
  return clamp(Math.round(v / q.scale[0]) + q.zeroPoint[0], -128, 127);
}

export interface QuantizedWeights {
  values: Int8Array;
  weightParams: QuantParams;
  bias?: { values: Int32Array; params: QuantParams };
}

/**
 * Symmetric int8 weights in [-127, 127] with one scale per slice along `dim` (or one scale when `perChannel`
 * is false), and an int32 bias with scale = input scale x weight scale. A weight scale is raised where needed
 * so that the bias fits int32 (a channel of tiny weights with a large bias).
 */
export function quantizeWeights(filter: Float32Array, shape: readonly number[], dim: number, perChannel: boolean, bias: Float32Array | undefined, inputScale: number): QuantizedWeights {
  const channels = shape[dim];
  const inner = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
  const outer = filter.length / (channels * inner);
  // element (o, c, i) of the [outer, channels, inner] view sits at (o * channels + c) * inner + i
  const forEach = (visit: (c: number, start: number) => void) => {
    for (let o = 0; o < outer; o++) for (let c = 0; c < channels; c++) visit(c, (o * channels + c) * inner);
  };
  const maxAbs = new Float64Array(channels);
  forEach((c, start) => {
    let m = maxAbs[c];
    for (let k = start; k < start + inner; k++) m = Math.max(m, Math.abs(filter[k]));
    maxAbs[c] = m;
  });
  const need = (c: number) => Math.max(maxAbs[c] / 127, Math.abs(bias?.[c] ?? 0) / (inputScale * INT32_MAX));
  const needs = Array.from({ length: channels }, (_, c) => need(c));
  const shared = Math.max(...needs);
  const scales = (perChannel ? needs : [shared]).map((s) => Math.fround(s > 0 ? s : 1));
  const scaleOf = (c: number) => scales[perChannel ? c : 0];
  const values = new Int8Array(filter.length);
  forEach((c, start) => {
    const inv = 1 / scaleOf(c);
    for (let k = start; k < start + inner; k++) values[k] = clamp(Math.round(filter[k] * inv), -127, 127);
  });
  const weightParams: QuantParams = { scale: scales, zeroPoint: scales.map(() => 0), quantizedDimension: perChannel ? dim : 0 };
  if (bias === undefined) return { values, weightParams };
  const biasScales = scales.map((s) => Math.fround(inputScale * s));
  const biasValues = Int32Array.from(bias, (b, c) => clamp(Math.round(b / biasScales[perChannel ? c : 0]), -INT32_MAX, INT32_MAX));
  return { values, weightParams, bias: { values: biasValues, params: { scale: biasScales, zeroPoint: biasScales.map(() => 0), quantizedDimension: 0 } } };
}

/** Symmetric per-tensor int8 for a constant operand (the 1/6 of the hard sigmoid). */
export function quantizeConstant(values: Float32Array): { values: Int8Array; params: QuantParams } {
  const maxAbs = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const scale = Math.fround(maxAbs > 0 ? maxAbs / 127 : 1);
  return { values: Int8Array.from(values, (v) => clamp(Math.round(v / scale), -127, 127)), params: { scale: [scale], zeroPoint: [0], quantizedDimension: 0 } };
}
