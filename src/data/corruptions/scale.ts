/** The side CIFAR-10-C's pixel-valued parameters were chosen for. */
const REFERENCE_SIDE = 32;

/**
 * How many pixels of this image stand for one pixel of a 32x32 CIFAR image. Parameters the reference gives in
 * pixels (blur radii and sigmas, shuffle distances, noise-grain sizes) are multiplied by it, so a 64x64 image
 * is corrupted like a 2x upscaled CIFAR image instead of twice as lightly. The shorter side decides, so that
 * non-square images are never corrupted harder than a square one of their smaller side. Left unscaled on
 * purpose: per-pixel noise (sensor noise is per pixel at any resolution), JPEG's 8x8 blocks (a real JPEG of
 * the image has them), and parameters that are already relative (zoom factors, pixelate fractions, the fog map).
 */
export function pixelScale(height: number, width: number): number {
  return Math.min(height, width) / REFERENCE_SIDE;
}

/** The grid a 32x32 image would have, for random fields that must scale with the image (at least 1 x 1). */
export function referenceGrid(height: number, width: number): { height: number; width: number } {
  const scale = pixelScale(height, width);
  return { height: Math.max(1, Math.round(height / scale)), width: Math.max(1, Math.round(width / scale)) };
}

/** A whole number of CIFAR pixels scaled by pixelScale, rounded, at least 1. */
export function scaledPixels(pixels: number, scale: number): number {
  return Math.max(1, Math.round(pixels * scale));
}
