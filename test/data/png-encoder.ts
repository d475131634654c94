import { crc32, deflateSync } from 'node:zlib';

/** Colour types the encoder writes: grey, RGB, grey + alpha, RGBA (8 bits per sample). */
export type EncodableColourType = 0 | 2 | 4 | 6;

const CHANNELS: Record<EncodableColourType, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/**
 * A minimal PNG encoder for tests: 8-bit, non-interlaced, every row with its own filter (cycling none, sub,
 * up, average, Paeth unless `filters` says otherwise) so a decoder's unfiltering is fully exercised.
 */
export function encodePng(
  width: number,
  height: number,
  colourType: EncodableColourType,
  samples: Uint8Array,
  filters: readonly number[] = [0, 1, 2, 3, 4],
): Buffer {
  const channels = CHANNELS[colourType];
  const rowBytes = width * channels;
  const raw = new Uint8Array(height * (rowBytes + 1));
  for (let y = 0; y < height; y++) {
    const filter = filters[y % filters.length];
    raw[y * (rowBytes + 1)] = filter;
    for (let i = 0; i < rowBytes; i++) {
      const at = (yy: number, ii: number): number => (yy >= 0 && ii >= 0 ? samples[yy * rowBytes + ii] : 0);
      const left = at(y, i - channels);
      const up = at(y - 1, i);
      const upLeft = at(y - 1, i - channels);
      const predictor = [0, left, up, (left + up) >>> 1, paeth(left, up, upLeft)][filter];
      raw[y * (rowBytes + 1) + 1 + i] = (samples[y * rowBytes + i] - predictor) & 255;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, colourType, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A chunk with an arbitrary header, for writing files the decoder must reject. */
export function chunk(type: string, data: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const [dLeft, dUp, dUpLeft] = [Math.abs(estimate - left), Math.abs(estimate - up), Math.abs(estimate - upLeft)];
  if (dLeft <= dUp && dLeft <= dUpLeft) return left;
  return dUp <= dUpLeft ? up : upLeft;
}
