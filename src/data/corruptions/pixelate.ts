import type { Corruption } from './names.ts';

/** Side of the down-sampled image as a fraction of the original, per severity. */
const FRACTION = [0.95, 0.9, 0.85, 0.75, 0.65];

/**
 * PIL's resize with the BOX filter down to int(side * fraction) and back up, per axis. The fraction is relative,
 * so it needs no scaling. Down, each output pixel averages the input pixels whose centres fall in its box;
 * up, the box is one input pixel wide, i.e. nearest neighbour. PIL rounds to 8 bits after each axis; that is
 * left out.
 */
export const pixelate: Corruption = (image, height, width, severity) => {
  const fraction = FRACTION[severity - 1];
  const smallHeight = Math.max(1, Math.trunc(height * fraction));
  const smallWidth = Math.max(1, Math.trunc(width * fraction));
  const small = boxResize(image, height, width, smallHeight, smallWidth);
  return boxResize(small, smallHeight, smallWidth, height, width);
};

function boxResize(image: Float32Array, height: number, width: number, outHeight: number, outWidth: number): Float32Array {
  const rows = boxWeights(height, outHeight);
  const cols = boxWeights(width, outWidth);
  const out = new Float32Array(outHeight * outWidth * 3);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      for (const [row, wy] of rows[y]) {
        for (const [col, wx] of cols[x]) {
          for (let c = 0; c < 3; c++) out[(y * outWidth + x) * 3 + c] += wy * wx * image[(row * width + col) * 3 + c];
        }
      }
    }
  }
  return out;
}

/**
 * PIL's precompute_coeffs for the box filter: output pixel i is centred at (i + 0.5) * scale, reaches
 * 0.5 * max(scale, 1) either way, and input pixel j weighs 1 when (j - centre + 0.5) / max(scale, 1) lies in
 * (-0.5, 0.5], normalised. Returns [input index, weight] pairs per output pixel.
 */
function boxWeights(inSize: number, outSize: number): [number, number][][] {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 0.5 * filterScale;
  return Array.from({ length: outSize }, (_, i) => {
    const centre = (i + 0.5) * scale;
    const first = Math.max(Math.trunc(centre - support + 0.5), 0);
    const end = Math.min(Math.trunc(centre + support + 0.5), inSize);
    const inside: number[] = [];
    for (let j = first; j < end; j++) {
      const t = (j - centre + 0.5) / filterScale;
      if (t > -0.5 && t <= 0.5) inside.push(j);
    }
    return inside.map((j): [number, number] => [j, 1 / inside.length]);
  });
}
