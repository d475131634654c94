/**
 * CIFAR-10-C's clipped_zoom generalised to a source grid of another size than the output: the centre
 * ceil(source / zoom) pixels of each axis are zoomed linearly (scipy.ndimage.zoom, order 1) by
 * zoom * output / source, and the centre `output` pixels of the result are kept. With source = output it is the
 * reference exactly; snow zooms a 32x32 noise grid this way, so its flakes grow with the image. zoom >= 1.
 */
export function clippedZoom(
  source: Float32Array,
  sourceHeight: number,
  sourceWidth: number,
  channels: number,
  zoom: number,
  outHeight: number,
  outWidth: number,
): Float32Array {
  const rows = zoomAxis(sourceHeight, zoom, outHeight);
  const cols = zoomAxis(sourceWidth, zoom, outWidth);
  const out = new Float32Array(outHeight * outWidth * channels);
  let t = 0;
  for (let y = 0; y < outHeight; y++) {
    const top = rows.first[y] * sourceWidth;
    const bottom = rows.second[y] * sourceWidth;
    const wy = rows.weight[y];
    for (let x = 0; x < outWidth; x++) {
      const left = cols.first[x];
      const right = cols.second[x];
      const wx = cols.weight[x];
      for (let c = 0; c < channels; c++) {
        const upper = source[(top + left) * channels + c] * (1 - wx) + source[(top + right) * channels + c] * wx;
        const lower = source[(bottom + left) * channels + c] * (1 - wx) + source[(bottom + right) * channels + c] * wx;
        out[t++] = upper * (1 - wy) + lower * wy;
      }
    }
  }
  return out;
}

interface AxisTable {
  first: Int32Array;
  second: Int32Array;
  weight: Float64Array;
}

function zoomAxis(source: number, zoom: number, output: number): AxisTable {
  const crop = Math.ceil(source / zoom);
  const start = Math.floor((source - crop) / 2);
  // scipy sizes the zoomed array with Python's round and maps its ends onto the crop's ends (align corners).
  const zoomed = roundHalfEven((crop * zoom * output) / source);
  const trim = Math.floor((zoomed - output) / 2);
  const step = zoomed > 1 ? (crop - 1) / (zoomed - 1) : 0;
  const table: AxisTable = { first: new Int32Array(output), second: new Int32Array(output), weight: new Float64Array(output) };
  for (let o = 0; o < output; o++) {
    const coordinate = (o + trim) * step;
    const lower = Math.min(Math.floor(coordinate), crop - 1);
    table.first[o] = start + lower;
    table.second[o] = start + Math.min(lower + 1, crop - 1);
    table.weight[o] = coordinate - lower;
  }
  return table;
}

/** Python's round() for non-negative numbers: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const rounded = Math.round(x);
  return rounded - x === 0.5 && rounded % 2 !== 0 ? rounded - 1 : rounded;
}
