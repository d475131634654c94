import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { DatasetError } from '../../src/data/errors.ts';
import { decodePng } from '../../src/data/png.ts';
import { chunk, encodePng } from './png-encoder.ts';
import type { EncodableColourType } from './png-encoder.ts';

const WIDTH = 7;
const HEIGHT = 6;

/** Varied samples so that every filter predicts something non-trivial. */
function samples(channels: number): Uint8Array {
  return Uint8Array.from({ length: WIDTH * HEIGHT * channels }, (_, i) => (i * 53 + ((i * i) % 17) * 11) % 256);
}

function header(bitDepth: number, colourType: number, interlace = 0): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(WIDTH, 0);
  data.writeUInt32BE(HEIGHT, 4);
  data.set([bitDepth, colourType, 0, 0, interlace], 8);
  return chunk('IHDR', data);
}

function png(...chunks: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), ...chunks, chunk('IEND', Buffer.alloc(0))]);
}

const cases: [string, EncodableColourType, number, (s: Uint8Array, p: number, c: number) => number][] = [
  ['RGB', 2, 3, (s, p, c) => s[3 * p + c]],
  ['RGBA (alpha dropped)', 6, 4, (s, p, c) => s[4 * p + c]],
  ['grey (copied to RGB)', 0, 1, (s, p) => s[p]],
  ['grey + alpha', 4, 2, (s, p) => s[2 * p]],
];

for (const [name, colourType, channels, expected] of cases) {
  test(`decodes 8-bit ${name} with every filter type`, () => {
    const source = samples(channels);
    const image = decodePng(encodePng(WIDTH, HEIGHT, colourType, source), 'test.png');
    assert.deepEqual([image.width, image.height], [WIDTH, HEIGHT]);
    assert.deepEqual([...image.pixels], Array.from({ length: WIDTH * HEIGHT * 3 }, (_, k) => expected(source, Math.floor(k / 3), k % 3)));
  });
}

test('decodes palette images', () => {
  const palette = Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255]);
  const indices = Uint8Array.from({ length: WIDTH * HEIGHT }, (_, p) => p % 3);
  const raw = Buffer.concat(Array.from({ length: HEIGHT }, (_, y) => Buffer.from([0, ...indices.subarray(y * WIDTH, (y + 1) * WIDTH)])));
  const image = decodePng(png(header(8, 3), chunk('PLTE', palette), chunk('IDAT', deflateSync(raw))), 'palette.png');
  assert.deepEqual([...image.pixels.subarray(0, 9)], [255, 0, 0, 0, 255, 0, 0, 0, 255]);
});

test('image data split over several IDAT chunks is joined', () => {
  const whole = encodePng(WIDTH, HEIGHT, 2, samples(3));
  const idatStart = 8 + 25;
  const length = whole.readUInt32BE(idatStart);
  const data = whole.subarray(idatStart + 8, idatStart + 8 + length);
  const split = png(whole.subarray(8, idatStart), chunk('IDAT', data.subarray(0, 10)), chunk('IDAT', data.subarray(10)));
  assert.deepEqual(decodePng(split, 'split.png').pixels, decodePng(whole, 'whole.png').pixels);
});

test('unsupported and damaged files are refused by name', () => {
  const idat = chunk('IDAT', deflateSync(Buffer.alloc(HEIGHT * (1 + WIDTH * 6))));
  const refuses = (bytes: Uint8Array, pattern: RegExp): void => {
    assert.throws(() => decodePng(bytes, 'x.png'), (error: unknown) => error instanceof DatasetError && /^x\.png: /.test(error.message) && pattern.test(error.message));
  };
  refuses(png(header(16, 2), idat), /bit depth 16 is not supported/);
  refuses(png(header(8, 2, 1), idat), /interlaced/);
  refuses(png(header(8, 5), idat), /unknown colour type 5/);
  refuses(Buffer.from('GIF89a....'), /not a PNG file/);
  const good = encodePng(WIDTH, HEIGHT, 2, samples(3));
  const corrupted = Buffer.from(good);
  corrupted[45] ^= 0xff;
  refuses(corrupted, /CRC mismatch in IDAT chunk/);
  refuses(good.subarray(0, good.length - 20), /truncated/);
  refuses(png(header(8, 3), idat), /palette image without a PLTE chunk/);
});
