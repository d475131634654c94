import type { Prng } from '../../util/prng.ts';

/** Octaves of the ice veins: lattice cell in CIFAR pixels and weight. Fine veins dominate, as in a frost photo seen at CIFAR scale. */
const OCTAVES: readonly (readonly [number, number])[] = [
  [9, 0.45],
  [4.5, 0.35],
  [2.25, 0.2],
];
/** Exponent applied to 1 - |noise|: higher gives thinner, sharper veins. */
const SHARPNESS = 5;
/** Lattice cell (CIFAR pixels) and amplitude (cells of the vein lattice) of the domain warp that bends the veins. */
const WARP_CELL = 6;
const WARP = 0.35;
/** Lattice cell of the slow haze (CIFAR pixels). */
const HAZE_CELL = 16;
/** Bluish white of ice, per channel. */
const TINT = [0.86, 0.94, 1] as const;

/**
 * A procedural stand-in for CIFAR-10-C's frost photographs (which the reference crops at random after
 * shrinking them to 20 %): ridged multi-octave value noise, i.e. bright thin veins along the zero crossings of
 * smooth noise, its coordinates bent by a slower noise so the veins look grown rather than cellular, over a
 * slowly varying haze, tinted bluish white. Mean about 0.45-0.55 by seed with veins near 1. All sizes
 * are in CIFAR pixels times `scale`, so the texture looks the same at any resolution. Returns HWC RGB in [0, 1].
 */
export function frostTexture(height: number, width: number, scale: number, rng: Prng): Float32Array {
  const warpY = new ValueNoise(height, width, WARP_CELL * scale, rng);
  const warpX = new ValueNoise(height, width, WARP_CELL * scale, rng);
  const haze = new ValueNoise(height, width, HAZE_CELL * scale, rng);
  const octaves = OCTAVES.map(([cell, weight]) => ({ noise: new ValueNoise(height, width, cell * scale, rng), cell: cell * scale, weight }));
  const out = new Float32Array(height * width * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bendY = WARP * warpY.at(y, x);
      const bendX = WARP * warpX.at(y, x);
      let veins = 0;
      for (const { noise, cell, weight } of octaves) {
        const n = noise.at(y + bendY * cell, x + bendX * cell);
        veins += weight * (1 - Math.abs(n)) ** SHARPNESS;
      }
      const value = Math.min(1, 0.12 + 0.18 * (haze.at(y, x) + 1) + 0.85 * veins);
      for (let c = 0; c < 3; c++) out[(y * width + x) * 3 + c] = value * TINT[c];
    }
  }
  return out;
}

/** Value noise in [-1, 1]: uniform values on a randomly offset lattice, interpolated with smoothstep. */
class ValueNoise {
  private readonly lattice: Float64Array;
  private readonly columns: number;
  private readonly offsetY: number;
  private readonly offsetX: number;

  constructor(
    height: number,
    width: number,
    private readonly cell: number,
    rng: Prng,
  ) {
    // Two spare cells each way: warped coordinates may leave the image by up to one cell.
    const rows = Math.ceil(height / cell) + 4;
    this.columns = Math.ceil(width / cell) + 4;
    this.lattice = Float64Array.from({ length: rows * this.columns }, () => 2 * rng.next() - 1);
    this.offsetY = (1 + rng.next()) * cell;
    this.offsetX = (1 + rng.next()) * cell;
  }

  at(y: number, x: number): number {
    const u = Math.min(Math.max((y + this.offsetY) / this.cell, 0), (this.lattice.length / this.columns) - 1.000001);
    const v = Math.min(Math.max((x + this.offsetX) / this.cell, 0), this.columns - 1.000001);
    const row = Math.floor(u);
    const col = Math.floor(v);
    const fy = smoothstep(u - row);
    const fx = smoothstep(v - col);
    const l = this.lattice;
    const c = this.columns;
    const upper = l[row * c + col] * (1 - fx) + l[row * c + col + 1] * fx;
    const lower = l[(row + 1) * c + col] * (1 - fx) + l[(row + 1) * c + col + 1] * fx;
    return upper * (1 - fy) + lower * fy;
  }
}

function smoothstep(t: number): number {
  return t * t * (3 - 2 * t);
}
