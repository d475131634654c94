/**
 * How a filter reads outside the image, named after scipy.ndimage's modes:
 * - nearest: aaa|abcd|ddd (scipy 'nearest', skimage's gaussian default, ImageMagick's edge virtual pixels);
 * - reflect: ba|abcd|dc, half-sample symmetric (scipy 'reflect');
 * - mirror: cb|abcd|cb, whole-sample symmetric (scipy 'mirror', OpenCV's default BORDER_REFLECT_101).
 */
export type Border = 'nearest' | 'reflect' | 'mirror';

/** The index inside [0, n) that index i reads under the border rule; any i, however far out. */
export function borderIndex(i: number, n: number, border: Border): number {
  if (i >= 0 && i < n) return i;
  if (border === 'nearest' || n === 1) return i < 0 ? 0 : n - 1;
  if (border === 'reflect') {
    const m = mod(i, 2 * n);
    return m < n ? m : 2 * n - 1 - m;
  }
  const m = mod(i, 2 * n - 2);
  return m < n ? m : 2 * n - 2 - m;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
