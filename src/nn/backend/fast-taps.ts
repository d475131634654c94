/**
 * Filter shapes whose tap count XNNPACK's depthwise convolution runs with a specialised kernel (1, 3, 4, 9
 * and 25 taps, measured in this tfjs build). Any other count takes a generic path about four times slower
 * per tap, e.g. 16 taps take three times as long as 25.
 */
const FAST_SHAPES: [number, number][] = [
  [1, 1],
  [1, 3],
  [3, 1],
  [2, 2],
  [3, 3],
  [1, 9],
  [9, 1],
  [5, 5],
  [1, 25],
  [25, 1],
];

/** The smallest fast filter shape that holds a rows x cols filter (zero-filled), or rows x cols if none does. */
export function fastTapShape(rows: number, cols: number): [number, number] {
  const fits = FAST_SHAPES.filter(([r, c]) => r >= rows && c >= cols);
  if (fits.length === 0) return [rows, cols];
  return fits.reduce((best, shape) => (shape[0] * shape[1] < best[0] * best[1] ? shape : best));
}
