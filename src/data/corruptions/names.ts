import type { Prng } from '../../util/prng.ts';

/** The 15 corruptions of CIFAR-10-C (Hendrycks & Dietterich, ICLR 2019), in the benchmark's order. */
export const CORRUPTIONS = [
  'gaussian_noise',
  'shot_noise',
  'impulse_noise',
  'defocus_blur',
  'glass_blur',
  'motion_blur',
  'zoom_blur',
  'snow',
  'frost',
  'fog',
  'brightness',
  'contrast',
  'elastic_transform',
  'pixelate',
  'jpeg_compression',
] as const;

export type CorruptionName = (typeof CORRUPTIONS)[number];

export const SEVERITIES = [1, 2, 3, 4, 5] as const;

export type Severity = (typeof SEVERITIES)[number];

/**
 * One corruption: reads an HWC RGB image of floats in [0, 1] and returns a new one. The result may leave
 * [0, 1]; `corrupt` clips once at the end, as every reference function does.
 */
export type Corruption = (image: Float32Array, height: number, width: number, severity: Severity, rng: Prng) => Float32Array;
