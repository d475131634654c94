import type { FusedActivation, PaddingName } from './schema.ts';

/**
 * Plain-JS float kernels with TFLite's semantics (NHWC, batch 1, SAME split floor(total/2) before), used to
 * compute every activation of a float model for calibration. Accumulation is in float64.
 */

export type Shape4 = readonly [n: number, h: number, w: number, c: number];

function activate(v: number, act: FusedActivation): number {
  switch (act) {
    case 'NONE':
      return v;
    case 'RELU':
      return v > 0 ? v : 0;
    case 'RELU6':
      return v < 0 ? 0 : v > 6 ? 6 : v;
    default:
      throw new Error(`reference kernels: fused activation ${act} is not supported`);
  }
}

/** Padding before the first row/column; SAME puts the smaller half first. */
export function padBefore(padding: PaddingName, inSize: number, outSize: number, kernel: number, stride: number): number {
  if (padding === 'VALID') return 0;
  return Math.floor(Math.max((outSize - 1) * stride + kernel - inSize, 0) / 2);
}

export interface ConvArgs {
  input: Float32Array;
  inShape: Shape4;
  filter: Float32Array;
  /** [cout, kh, kw, cin] for a conv, [1, kh, kw, c] for a depthwise conv. */
  filterShape: readonly number[];
  bias?: Float32Array;
  outShape: Shape4;
  stride: number;
  padding: PaddingName;
  act: FusedActivation;
}

export function conv2d(a: ConvArgs): Float32Array {
  const [, h, w, cin] = a.inShape;
  const [, oh, ow, cout] = a.outShape;
  const [, kh, kw] = a.filterShape;
  const top = padBefore(a.padding, h, oh, kh, a.stride);
  const left = padBefore(a.padding, w, ow, kw, a.stride);
  const out = new Float32Array(oh * ow * cout);
  const acc = new Float64Array(cout);
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      for (let o = 0; o < cout; o++) acc[o] = a.bias?.[o] ?? 0;
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * a.stride - top + ky;
        if (iy < 0 || iy >= h) continue;
        for (let kx = 0; kx < kw; kx++) {
          const ix = ox * a.stride - left + kx;
          if (ix < 0 || ix >= w) continue;
          const inBase = (iy * w + ix) * cin;
          for (let o = 0; o < cout; o++) {
            const wBase = ((o * kh + ky) * kw + kx) * cin;
            let s = 0;
            for (let i = 0; i < cin; i++) s += a.input[inBase + i] * a.filter[wBase + i];
            acc[o] += s;
          }
        }
      }
      const outBase = (oy * ow + ox) * cout;
      for (let o = 0; o < cout; o++) out[outBase + o] = activate(acc[o], a.act);
    }
  }
  return out;
}

export function depthwiseConv2d(a: ConvArgs): Float32Array {
  const [, h, w, c] = a.inShape;
  const [, oh, ow] = a.outShape;
  const [, kh, kw] = a.filterShape;
  const top = padBefore(a.padding, h, oh, kh, a.stride);
  const left = padBefore(a.padding, w, ow, kw, a.stride);
  const out = new Float32Array(oh * ow * c);
  const acc = new Float64Array(c);
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      for (let ch = 0; ch < c; ch++) acc[ch] = a.bias?.[ch] ?? 0;
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * a.stride - top + ky;
        if (iy < 0 || iy >= h) continue;
        for (let kx = 0; kx < kw; kx++) {
          const ix = ox * a.stride - left + kx;
          if (ix < 0 || ix >= w) continue;
          const inBase = (iy * w + ix) * c;
          const wBase = (ky * kw + kx) * c;
          for (let ch = 0; ch < c; ch++) acc[ch] += a.input[inBase + ch] * a.filter[wBase + ch];
        }
      }
      const outBase = (oy * ow + ox) * c;
      for (let ch = 0; ch < c; ch++) out[outBase + ch] = activate(acc[ch], a.act);
    }
  }
  return out;
}

export function fullyConnected(input: Float32Array, filter: Float32Array, filterShape: readonly number[], bias: Float32Array | undefined, act: FusedActivation): Float32Array {
  const [units, depth] = filterShape;
  const rows = input.length / depth;
  const out = new Float32Array(rows * units);
  for (let r = 0; r < rows; r++) {
    for (let u = 0; u < units; u++) {
      let s = bias?.[u] ?? 0;
      for (let i = 0; i < depth; i++) s += input[r * depth + i] * filter[u * depth + i];
      out[r * units + u] = activate(s, act);
    }
  }
  return out;
}

/** Zero padding of a [1, h, w, c] tensor by [[0,0],[top,bottom],[left,right],[0,0]]. */
export function pad(input: Float32Array, inShape: Shape4, paddings: Int32Array): Float32Array {
  if (paddings[0] || paddings[1] || paddings[6] || paddings[7]) throw new Error('reference kernels: PAD supports padding height and width only');
  const [, h, w, c] = inShape;
  const [top, bottom, left, right] = [paddings[2], paddings[3], paddings[4], paddings[5]];
  const ow = w + left + right;
  const out = new Float32Array((h + top + bottom) * ow * c);
  for (let y = 0; y < h; y++) out.set(input.subarray(y * w * c, (y + 1) * w * c), ((y + top) * ow + left) * c);
  return out;
}

export function meanHw(input: Float32Array, inShape: Shape4): Float32Array {
  const [, h, w, c] = inShape;
  const acc = new Float64Array(c);
  for (let p = 0; p < h * w; p++) for (let ch = 0; ch < c; ch++) acc[ch] += input[p * c + ch];
  return Float32Array.from(acc, (v) => v / (h * w));
}

export function maxPool(input: Float32Array, inShape: Shape4, outShape: Shape4, size: number, stride: number): Float32Array {
  const [, , w, c] = inShape;
  const [, oh, ow] = outShape;
  const out = new Float32Array(oh * ow * c).fill(-Infinity);
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      const outBase = (oy * ow + ox) * c;
      for (let ky = 0; ky < size; ky++) {
        for (let kx = 0; kx < size; kx++) {
          const inBase = ((oy * stride + ky) * w + ox * stride + kx) * c;
          for (let ch = 0; ch < c; ch++) out[outBase + ch] = Math.max(out[outBase + ch], input[inBase + ch]);
        }
      }
    }
  }
  return out;
}

/** a (op) b with NumPy broadcasting, shapes right-aligned. */
export function broadcast(a: Float32Array, aShape: readonly number[], b: Float32Array, bShape: readonly number[], outShape: readonly number[], f: (x: number, y: number) => number): Float32Array {
  const rank = outShape.length;
  const stridesOf = (shape: readonly number[]): number[] => {
    const padded = [...new Array<number>(rank - shape.length).fill(1), ...shape];
    const strides = new Array<number>(rank).fill(0);
    let s = 1;
    for (let d = rank - 1; d >= 0; d--) {
      strides[d] = padded[d] === 1 ? 0 : s;
      s *= padded[d];
    }
    return strides;
  };
  const sa = stridesOf(aShape);
  const sb = stridesOf(bShape);
  const total = outShape.reduce((x, y) => x * y, 1);
  const out = new Float32Array(total);
  const index = new Array<number>(rank).fill(0);
  for (let k = 0; k < total; k++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < rank; d++) {
      ia += index[d] * sa[d];
      ib += index[d] * sb[d];
    }
    out[k] = f(a[ia], b[ib]);
    for (let d = rank - 1; d >= 0 && ++index[d] === outShape[d]; d--) index[d] = 0;
  }
  return out;
}

export function hardSwish(input: Float32Array): Float32Array {
  return input.map((x) => (x * Math.min(Math.max(x + 3, 0), 6)) / 6);
}

export function softmax(input: Float32Array, depth: number, beta: number): Float32Array {
  const out = new Float32Array(input.length);
  for (let r = 0; r < input.length; r += depth) {
    let max = -Infinity;
    for (let i = 0; i < depth; i++) max = Math.max(max, input[r + i]);
    let sum = 0;
    for (let i = 0; i < depth; i++) sum += Math.exp(beta * (input[r + i] - max));
    for (let i = 0; i < depth; i++) out[r + i] = Math.exp(beta * (input[r + i] - max)) / sum;
  }
  return out;
}
