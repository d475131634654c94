import { crc32, inflateSync } from 'node:zlib';
import { DatasetError } from './errors.ts';

/** An RGB image, HWC bytes. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

/** Channels per pixel by PNG colour type: grey, RGB, palette index, grey + alpha, RGBA. */
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

interface Header {
  width: number;
  height: number;
  colourType: number;
}

/**
 * Decodes a non-interlaced 8-bit PNG (grey, grey + alpha, RGB, RGBA or palette) to RGB. Alpha is dropped, as
 * PIL's convert('RGB') does; grey is copied to all three channels. Other bit depths and Adam7 interlacing are
 * rejected with a DatasetError naming `source`. Chunk CRCs are checked so that a damaged file fails loudly.
 */
export function decodePng(bytes: Uint8Array, source: string): RgbImage {
  const fail = (problem: string): never => {
    throw new DatasetError(`${source}: ${problem}`);
  };
  if (bytes.length < SIGNATURE.length || SIGNATURE.some((b, i) => bytes[i] !== b)) fail('not a PNG file (bad signature)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: Header | null = null;
  let palette: Uint8Array | null = null;
  const compressed: Uint8Array[] = [];
  let offset = SIGNATURE.length;
  for (;;) {
    if (offset + 12 > bytes.length) fail('truncated: no IEND chunk');
    const length = view.getUint32(offset);
    const end = offset + 12 + length;
    if (end > bytes.length) fail(`truncated: a chunk at byte ${offset} runs past the end of the file`);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== view.getUint32(offset + 8 + length)) fail(`corrupt: CRC mismatch in ${type} chunk`);
    offset = end;
    if (type === 'IHDR') header = parseHeader(data, fail);
    else if (type === 'PLTE') palette = data;
    else if (type === 'IDAT') compressed.push(data);
    else if (type === 'IEND') break;
  }
  if (header === null) return fail('no IHDR chunk');
  if (compressed.length === 0) fail('no IDAT chunk');
  if (header.colourType === 3 && palette === null) fail('palette image without a PLTE chunk');
  let raw: Uint8Array;
  try {
    raw = inflateSync(Buffer.concat(compressed));
  } catch (error) {
    return fail(`corrupt image data (${(error as Error).message})`);
  }
  const channels = CHANNELS[header.colourType];
  const rowBytes = header.width * channels;
  if (raw.length < header.height * (rowBytes + 1)) fail(`truncated image data: ${raw.length} bytes, expected ${header.height * (rowBytes + 1)}`);
  const samples = unfilter(raw, header.height, rowBytes, channels, fail);
  return { width: header.width, height: header.height, pixels: toRgb(samples, header, channels, palette, fail) };
}

function parseHeader(data: Uint8Array, fail: (problem: string) => never): Header {
  if (data.length !== 13) fail(`IHDR chunk has ${data.length} bytes, expected 13`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const [width, height] = [view.getUint32(0), view.getUint32(4)];
  const [bitDepth, colourType, interlace] = [data[8], data[9], data[12]];
  if (width === 0 || height === 0) fail(`empty image (${width}x${height})`);
  if (!(colourType in CHANNELS)) fail(`unknown colour type ${colourType}`);
  if (bitDepth !== 8) fail(`bit depth ${bitDepth} is not supported (only 8-bit PNGs are)`);
  if (interlace !== 0) fail('interlaced (Adam7) PNGs are not supported');
  return { width, height, colourType };
}

/** Undoes the per-row filters (none, sub, up, average, Paeth), giving height * rowBytes samples. */
function unfilter(raw: Uint8Array, height: number, rowBytes: number, bytesPerPixel: number, fail: (problem: string) => never): Uint8Array {
  const out = new Uint8Array(height * rowBytes);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (rowBytes + 1)];
    const from = y * (rowBytes + 1) + 1;
    const row = y * rowBytes;
    const previous = row - rowBytes;
    for (let i = 0; i < rowBytes; i++) {
      const left = i >= bytesPerPixel ? out[row + i - bytesPerPixel] : 0;
      const up = y > 0 ? out[previous + i] : 0;
      const upLeft = y > 0 && i >= bytesPerPixel ? out[previous + i - bytesPerPixel] : 0;
      let predictor: number;
      switch (filter) {
        case 0: predictor = 0; break;
        case 1: predictor = left; break;
        case 2: predictor = up; break;
        case 3: predictor = (left + up) >>> 1; break;
        case 4: predictor = paeth(left, up, upLeft); break;
        default: return fail(`row ${y} has unknown filter type ${filter}`);
      }
      out[row + i] = (raw[from + i] + predictor) & 255;
    }
  }
  return out;
}

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const [dLeft, dUp, dUpLeft] = [Math.abs(estimate - left), Math.abs(estimate - up), Math.abs(estimate - upLeft)];
  if (dLeft <= dUp && dLeft <= dUpLeft) return left;
  return dUp <= dUpLeft ? up : upLeft;
}

function toRgb(samples: Uint8Array, header: Header, channels: number, palette: Uint8Array | null, fail: (problem: string) => never): Uint8Array {
  const pixelCount = header.width * header.height;
  const rgb = new Uint8Array(pixelCount * 3);
  for (let p = 0; p < pixelCount; p++) {
    const s = p * channels;
    if (header.colourType === 3) {
      const entry = samples[s] * 3;
      if (palette === null || entry + 3 > palette.length) return fail(`palette index ${samples[s]} is outside the palette`);
      rgb.set(palette.subarray(entry, entry + 3), p * 3);
    } else if (channels >= 3) {
      rgb[p * 3] = samples[s];
      rgb[p * 3 + 1] = samples[s + 1];
      rgb[p * 3 + 2] = samples[s + 2];
    } else {
      rgb.fill(samples[s], p * 3, p * 3 + 3);
    }
  }
  return rgb;
}
