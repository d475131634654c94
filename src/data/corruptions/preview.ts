import { writeFileSync } from 'node:fs';
import { Prng } from '../../util/prng.ts';
import { encodePng } from '../png-encode.ts';
import { corrupt, CORRUPTIONS, floatsToBytes, SEVERITIES } from './index.ts';

export interface GridOptions {
  /** Whole-number magnification of every tile (nearest neighbour), default 1. */
  scale?: number;
}

/** Gutter between tiles in output pixels, and its grey. */
const GUTTER = 2;
const GUTTER_GREY = 128;

/**
 * A contact sheet of every corruption: one row per corruption in CORRUPTIONS order, each the clean image then
 * severities 1 to 5, tiles separated by grey gutters (twice as wide after the clean tile). Each row draws one
 * seed from `rng` and uses it for all five severities, so a row shows one noise or angle growing stronger.
 * Returns HWC RGB bytes.
 */
export function corruptionGrid(image: Float32Array, height: number, width: number, rng: Prng, options: GridOptions = {}): { rgb: Uint8Array; height: number; width: number } {
  const scale = options.scale ?? 1;
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`preview scale ${scale} is not a positive whole number`);
  const tileHeight = height * scale;
  const tileWidth = width * scale;
  const columns = 1 + SEVERITIES.length;
  const columnLeft = (column: number): number => GUTTER + column * (tileWidth + GUTTER) + (column > 0 ? GUTTER : 0);
  const gridWidth = columnLeft(columns - 1) + tileWidth + GUTTER;
  const gridHeight = GUTTER + CORRUPTIONS.length * (tileHeight + GUTTER);
  const rgb = new Uint8Array(gridHeight * gridWidth * 3).fill(GUTTER_GREY);
  const clean = floatsToBytes(image);
  CORRUPTIONS.forEach((name, row) => {
    const seed = rng.nextUint32();
    const top = GUTTER + row * (tileHeight + GUTTER);
    paste(rgb, gridWidth, clean, height, width, scale, top, columnLeft(0));
    SEVERITIES.forEach((severity, i) => {
      const tile = floatsToBytes(corrupt(name, image, height, width, severity, new Prng(seed)));
      paste(rgb, gridWidth, tile, height, width, scale, top, columnLeft(i + 1));
    });
  });
  return { rgb, height: gridHeight, width: gridWidth };
}

function paste(target: Uint8Array, targetWidth: number, tile: Uint8Array, height: number, width: number, scale: number, top: number, left: number): void {
  for (let y = 0; y < height * scale; y++) {
    for (let x = 0; x < width * scale; x++) {
      const from = (Math.floor(y / scale) * width + Math.floor(x / scale)) * 3;
      target.set(tile.subarray(from, from + 3), ((top + y) * targetWidth + left + x) * 3);
    }
  }
}

/** Writes HWC RGB bytes as a PNG file. */
export function writePng(path: string, rgb: Uint8Array, height: number, width: number): void {
  writeFileSync(path, encodePng(rgb, height, width));
}
