import type { Corruption } from './names.ts';

/** JPEG quality (libjpeg scale), per severity. */
const QUALITY = [80, 65, 58, 50, 40];

/** The example tables of the JPEG standard (ITU T.81 Annex K), row-major, which libjpeg scales by quality. */
const LUMINANCE = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
  18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMINANCE = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
  ...new Array<number>(32).fill(99),
];

/** Orthonormal 8-point DCT-II basis, basis[u * 8 + x]; it equals JPEG's DCT with its 1/4 C(u) C(v) scaling. */
const BASIS = Float64Array.from({ length: 64 }, (_, i) => {
  const [u, x] = [Math.floor(i / 8), i % 8];
  return (u === 0 ? Math.SQRT1_2 : 1) * 0.5 * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
});

/**
 * What PIL's JPEG save and load do to the pixels, without the entropy coding (lossless, so it changes nothing):
 * 8-bit RGB to JFIF YCbCr, chroma averaged over 2x2 pixels (PIL's default 4:2:0), the image padded to whole
 * 16x16 macroblocks by repeating its edges, per 8x8 block a level shift, DCT, quantisation with the Annex K
 * tables scaled by libjpeg's quality rule, and the inverse, chroma brought back with libjpeg's "fancy"
 * triangle upsampling, back to 8-bit RGB. Float DCTs stand in for libjpeg's integer ones (differences of
 * one grey level). Blocks are 8 pixels at any image size, as a real JPEG of that image would have.
 */
export const jpegCompression: Corruption = (image, height, width, severity) => {
  const quality = QUALITY[severity - 1];
  const lumaTable = scaledTable(LUMINANCE, quality);
  const chromaTable = scaledTable(CHROMINANCE, quality);
  const paddedHeight = Math.ceil(height / 16) * 16;
  const paddedWidth = Math.ceil(width / 16) * 16;
  const luma = new Float64Array(paddedHeight * paddedWidth);
  const cb = new Float64Array(luma.length);
  const cr = new Float64Array(luma.length);
  for (let y = 0; y < paddedHeight; y++) {
    for (let x = 0; x < paddedWidth; x++) {
      const from = (Math.min(y, height - 1) * width + Math.min(x, width - 1)) * 3;
      const [r, g, b] = [toByte(image[from]), toByte(image[from + 1]), toByte(image[from + 2])];
      const to = y * paddedWidth + x;
      luma[to] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
      cb[to] = Math.round(-0.168735892 * r - 0.331264108 * g + 0.5 * b + 128);
      cr[to] = Math.round(0.5 * r - 0.418687589 * g - 0.081312411 * b + 128);
    }
  }
  const chromaHeight = paddedHeight / 2;
  const chromaWidth = paddedWidth / 2;
  const blue = downsample(cb, paddedHeight, paddedWidth);
  const red = downsample(cr, paddedHeight, paddedWidth);
  compressPlane(luma, paddedHeight, paddedWidth, lumaTable);
  compressPlane(blue, chromaHeight, chromaWidth, chromaTable);
  compressPlane(red, chromaHeight, chromaWidth, chromaTable);
  // The upsampler repeats the last chroma sample of the image itself, not of the padding.
  const lastRow = Math.ceil(height / 2) - 1;
  const lastCol = Math.ceil(width / 2) - 1;
  const out = new Float32Array(image.length);
  for (let y = 0; y < height; y++) {
    const near = y >> 1;
    const far = Math.min(Math.max(y & 1 ? near + 1 : near - 1, 0), lastRow);
    for (let x = 0; x < width; x++) {
      const nearCol = x >> 1;
      const farCol = Math.min(Math.max(x & 1 ? nearCol + 1 : nearCol - 1, 0), lastCol);
      const upsample = (plane: Float64Array): number =>
        (9 * plane[near * chromaWidth + nearCol] + 3 * plane[far * chromaWidth + nearCol] + 3 * plane[near * chromaWidth + farCol] + plane[far * chromaWidth + farCol]) /
          16 -
        128;
      const yy = luma[y * paddedWidth + x];
      const [u, v] = [upsample(blue), upsample(red)];
      const to = (y * width + x) * 3;
      out[to] = clampByte(yy + 1.402 * v) / 255;
      out[to + 1] = clampByte(yy - 0.344136286 * u - 0.714136286 * v) / 255;
      out[to + 2] = clampByte(yy + 1.772 * u) / 255;
    }
  }
  return out;
};

/** libjpeg's jpeg_set_quality with force_baseline: quality q scales the table by 5000/q below 50, 200 - 2q above. */
export function scaledTable(base: readonly number[], quality: number): Float64Array {
  const scale = quality < 50 ? Math.floor(5000 / quality) : 200 - 2 * quality;
  return Float64Array.from(base, (entry) => Math.min(255, Math.max(1, Math.floor((entry * scale + 50) / 100))));
}

function downsample(plane: Float64Array, height: number, width: number): Float64Array {
  const half = width / 2;
  const out = new Float64Array((height / 2) * half);
  for (let y = 0; y < height / 2; y++) {
    for (let x = 0; x < half; x++) {
      const i = 2 * y * width + 2 * x;
      out[y * half + x] = Math.round((plane[i] + plane[i + 1] + plane[i + width] + plane[i + width + 1]) / 4);
    }
  }
  return out;
}

/** Replaces every 8x8 block of the plane (sides multiples of 8) by its decoded quantised version. */
function compressPlane(plane: Float64Array, height: number, width: number, table: Float64Array): void {
  const block = new Float64Array(64);
  const coefficients = new Float64Array(64);
  for (let top = 0; top < height; top += 8) {
    for (let left = 0; left < width; left += 8) {
      for (let i = 0; i < 64; i++) block[i] = plane[(top + (i >> 3)) * width + left + (i & 7)] - 128;
      transform(block, coefficients, false);
      for (let i = 0; i < 64; i++) coefficients[i] = roundHalfAway(coefficients[i] / table[i]) * table[i];
      transform(coefficients, block, true);
      for (let i = 0; i < 64; i++) plane[(top + (i >> 3)) * width + left + (i & 7)] = clampByte(block[i] + 128);
    }
  }
}

/** 2-D DCT (or its inverse) of an 8x8 block: BASIS * block * BASIS^T, transposed for the inverse. */
function transform(input: Float64Array, output: Float64Array, inverse: boolean): void {
  const rows = new Float64Array(64);
  const at = (u: number, x: number): number => (inverse ? BASIS[x * 8 + u] : BASIS[u * 8 + x]);
  for (let u = 0; u < 8; u++) {
    for (let x = 0; x < 8; x++) {
      let sum = 0;
      for (let k = 0; k < 8; k++) sum += at(u, k) * input[k * 8 + x];
      rows[u * 8 + x] = sum;
    }
  }
  for (let u = 0; u < 8; u++) {
    for (let v = 0; v < 8; v++) {
      let sum = 0;
      for (let k = 0; k < 8; k++) sum += rows[u * 8 + k] * at(v, k);
      output[u * 8 + v] = sum;
    }
  }
}

function toByte(v: number): number {
  return Math.round(Math.min(1, Math.max(0, v)) * 255);
}

function clampByte(v: number): number {
  return Math.min(255, Math.max(0, Math.round(v)));
}

/** libjpeg's quantiser rounds halves away from zero. */
function roundHalfAway(v: number): number {
  return Math.sign(v) * Math.round(Math.abs(v));
}
