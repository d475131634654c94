import type { Prng } from '../../util/prng.ts';
import { DatasetError } from '../errors.ts';
import { brightness } from './brightness.ts';
import { contrast } from './contrast.ts';
import { defocusBlur } from './defocus-blur.ts';
import { elasticTransform } from './elastic-transform.ts';
import { fog } from './fog.ts';
import { frost } from './frost.ts';
import { gaussianNoise } from './gaussian-noise.ts';
import { glassBlur } from './glass-blur.ts';
import { impulseNoise } from './impulse-noise.ts';
import { jpegCompression } from './jpeg-compression.ts';
import { motionBlur } from './motion-blur.ts';
import { CORRUPTIONS, SEVERITIES } from './names.ts';
import type { Corruption, CorruptionName, Severity } from './names.ts';
import { pixelate } from './pixelate.ts';
import { shotNoise } from './shot-noise.ts';
import { snow } from './snow.ts';
import { zoomBlur } from './zoom-blur.ts';

export { CORRUPTIONS, SEVERITIES };
export type { CorruptionName, Severity };

const IMPLEMENTATIONS: Readonly<Record<CorruptionName, Corruption>> = {
  gaussian_noise: gaussianNoise,
  shot_noise: shotNoise,
  impulse_noise: impulseNoise,
  defocus_blur: defocusBlur,
  glass_blur: glassBlur,
  motion_blur: motionBlur,
  zoom_blur: zoomBlur,
  snow,
  frost,
  fog,
  brightness,
  contrast,
  elastic_transform: elasticTransform,
  pixelate,
  jpeg_compression: jpegCompression,
};

/** Smallest side accepted: one JPEG block, and enough room for the elastic transform's affine points. */
const MIN_SIDE = 8;

/**
 * Applies a CIFAR-10-C corruption at severity 1..5 to an HWC RGB image of floats in [0, 1] and returns a new
 * image of the same size, clipped to [0, 1]. Parameters are the CIFAR-10-C ones; those given in pixels scale
 * with the image (see scale.ts), so any resolution of at least 8x8 works. Random corruptions draw only from
 * `rng`: the same seed gives the same image.
 */
export function corrupt(name: string, image: Float32Array, height: number, width: number, severity: number, rng: Prng): Float32Array {
  if (!isCorruptionName(name)) throw new DatasetError(`unknown corruption "${name}"; allowed: ${CORRUPTIONS.join(', ')}`);
  if (!isSeverity(severity)) throw new DatasetError(`corruption ${name}: severity ${severity} is not one of ${SEVERITIES.join(', ')}`);
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < MIN_SIDE || width < MIN_SIDE) {
    throw new DatasetError(`corruption ${name}: image size ${height}x${width} is not whole pixels of at least ${MIN_SIDE}x${MIN_SIDE}`);
  }
  if (image.length !== height * width * 3) {
    throw new DatasetError(`corruption ${name}: image has ${image.length} values, expected ${height}x${width}x3 = ${height * width * 3}`);
  }
  return IMPLEMENTATIONS[name](image, height, width, severity, rng).map((v) => Math.min(1, Math.max(0, v)));
}

function isCorruptionName(name: string): name is CorruptionName {
  return (CORRUPTIONS as readonly string[]).includes(name);
}

function isSeverity(severity: number): severity is Severity {
  return (SEVERITIES as readonly number[]).includes(severity);
}

/** Bytes 0..255 to floats in [0, 1], the representation `corrupt` works in. */
export function bytesToFloats(bytes: Uint8Array): Float32Array {
  return Float32Array.from(bytes, (b) => b / 255);
}

/** Floats in [0, 1] to bytes, rounded to the nearest level (values outside are clipped). */
export function floatsToBytes(floats: Float32Array): Uint8Array {
  return Uint8Array.from(floats, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
}
