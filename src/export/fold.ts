import type { ConvLayer, LinearLayer, SqueezeExciteLayer } from '../graph/types.ts';
import { weight } from './weights.ts';
import type { WeightMap } from './weights.ts';

/** Float weights in TFLite's layout: conv OHWI [cout, k, k, cin], depthwise [1, k, k, c], FC [units, in]. */
export interface TfliteWeights {
  filter: Float32Array;
  shape: number[];
  bias?: Float32Array;
}

/** PyTorch's BatchNorm2d default, which the TF.js forward pass uses too. */
const BN_EPS = 1e-5;

/** [k, k, cin, cout] (TF) to [cout, k, k, cin] (OHWI). */
function toOhwi(w: Float32Array, k: number, cin: number, cout: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let y = 0; y < k; y++) {
    for (let x = 0; x < k; x++) {
      for (let i = 0; i < cin; i++) {
        const src = ((y * k + x) * cin + i) * cout;
        const dst = (y * k + x) * cin + i;
        for (let o = 0; o < cout; o++) out[o * k * k * cin + dst] = w[src + o];
      }
    }
  }
  return out;
}

/**
 * A convolution with batch norm folded in: w' = w * g, b' = beta + (b - mean) * g with g = gamma / sqrt(var +
 * eps), per output channel. A depthwise kernel [k, k, c, 1] already has TFLite's [1, k, k, c] element order.
 * The bias is always present.
 */
export function foldConv(layer: ConvLayer, weights: WeightMap, eps = BN_EPS): TfliteWeights {
  const { name, kernel: k, cin, cout } = layer;
  const depthwise = layer.groups !== 1;
  if (depthwise && (layer.groups !== cin || cout !== cin)) throw new Error(`conv layer ${name}: grouped convolutions other than depthwise have no TFLite operator`);
  const raw = weight(weights, `${name}.weight`, k * k * cin * (depthwise ? 1 : cout));
  const filter = depthwise ? Float32Array.from(raw) : toOhwi(raw, k, cin, cout);
  const shape = depthwise ? [1, k, k, cin] : [cout, k, k, cin];
  let bias = layer.bias ? Float32Array.from(weight(weights, `${name}.bias`, cout)) : undefined;
  if (layer.batchNorm) {
    const gamma = weight(weights, `${name}.bn.weight`, cout);
    const beta = weight(weights, `${name}.bn.bias`, cout);
    const mean = weight(weights, `${name}.bn.running_mean`, cout);
    const variance = weight(weights, `${name}.bn.running_var`, cout);
    const folded = new Float32Array(cout);
    const perChannel = depthwise ? 1 : k * k * cin;
    for (let o = 0; o < cout; o++) {
      const g = gamma[o] / Math.sqrt(variance[o] + eps);
      folded[o] = beta[o] + ((bias?.[o] ?? 0) - mean[o]) * g;
      if (depthwise) {
        for (let t = o; t < filter.length; t += cout) filter[t] *= g;
      } else {
        for (let t = o * perChannel; t < (o + 1) * perChannel; t++) filter[t] *= g;
      }
    }
    bias = folded;
  }
  // The runtime's conv kernels require a bias input (optional only in the schema), so a bias-free conv gets zeros.
  return { filter, shape, bias: bias ?? new Float32Array(cout) };
}

/**
 * The two 1x1 convolutions of a squeeze-and-excite gate. The expand bias carries the +3 of the hard sigmoid
 * relu6(z + 3) / 6, so that the expand conv with a fused RELU6 followed by a multiplication by 1/6 computes
 * the gate exactly.
 */
export function squeezeExciteWeights(layer: SqueezeExciteLayer, weights: WeightMap): { reduce: TfliteWeights; expand: TfliteWeights } {
  const { name, channels: c, reduced: r } = layer;
  const reduce = toOhwi(weight(weights, `${name}.fc.reduce.weight`, c * r), 1, c, r);
  const expand = toOhwi(weight(weights, `${name}.fc.expand.weight`, r * c), 1, r, c);
  const expandBias = Float32Array.from(weight(weights, `${name}.fc.expand.bias`, c), (v) => v + 3);
  return {
    reduce: { filter: reduce, shape: [r, 1, 1, c], bias: Float32Array.from(weight(weights, `${name}.fc.reduce.bias`, r)) },
    expand: { filter: expand, shape: [c, 1, 1, r], bias: expandBias },
  };
}

/** [cin, cout] to FULLY_CONNECTED's [units, in]. */
export function linearWeights(layer: LinearLayer, weights: WeightMap): TfliteWeights {
  const { name, cin, cout } = layer;
  const filter = toOhwi(weight(weights, `${name}.weight`, cin * cout), 1, cin, cout);
  return { filter, shape: [cout, cin], bias: layer.bias ? Float32Array.from(weight(weights, `${name}.bias`, cout)) : undefined };
}
