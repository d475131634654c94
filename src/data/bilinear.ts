/** A rectangle of a source image, in whole pixels. */
export interface Box {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** Per-channel affine map applied to every sampled value: value * scale[c] + offset[c]. */
export interface ChannelAffine {
  readonly scale: ArrayLike<number>;
  readonly offset: ArrayLike<number>;
}

/**
 * Bilinear resampling of a box of an HWC image to a fixed output size, with the semantics of PyTorch's
 * F.interpolate(mode='bilinear', align_corners=False, antialias=False) (also torchvision Resize on tensors
 * with antialias=False): output pixel i samples source coordinate (i + 0.5) * in/out - 0.5, clamped below at 0,
 * and the upper neighbour is clamped to the last row/column of the box. Values are interpolated in floating
 * point and not rounded. When shrinking by more than 2x this aliases, as PyTorch does without antialiasing.
 * The index tables are allocated once per output size, so sampling many images allocates nothing.
 */
export class BilinearSampler {
  private readonly row0: Int32Array;
  private readonly row1: Int32Array;
  private readonly rowWeight: Float64Array;
  private readonly col0: Int32Array;
  private readonly col1: Int32Array;
  private readonly colWeight: Float64Array;

  constructor(
    readonly outHeight: number,
    readonly outWidth: number,
    readonly channels: number,
  ) {
    this.row0 = new Int32Array(outHeight);
    this.row1 = new Int32Array(outHeight);
    this.rowWeight = new Float64Array(outHeight);
    this.col0 = new Int32Array(outWidth);
    this.col1 = new Int32Array(outWidth);
    this.colWeight = new Float64Array(outWidth);
  }

  /**
   * Samples `box` of the image starting at `source[from]` (HWC rows of `sourceWidth` pixels) into
   * `target[to ...]`, mirrored left-right when `flip` (exactly equal to flipping after resizing).
   */
  sample(
    source: ArrayLike<number>,
    from: number,
    sourceWidth: number,
    box: Readonly<Box>,
    flip: boolean,
    target: Float32Array,
    to: number,
    affine: ChannelAffine,
  ): void {
    const { outHeight, outWidth, channels } = this;
    fillAxis(box.top, box.height, outHeight, this.row0, this.row1, this.rowWeight);
    fillAxis(box.left, box.width, outWidth, this.col0, this.col1, this.colWeight);
    const rowStride = sourceWidth * channels;
    let t = to;
    for (let y = 0; y < outHeight; y++) {
      const top = from + this.row0[y] * rowStride;
      const bottom = from + this.row1[y] * rowStride;
      const wy = this.rowWeight[y];
      for (let x = 0; x < outWidth; x++) {
        const xs = flip ? outWidth - 1 - x : x;
        const left = this.col0[xs] * channels;
        const right = this.col1[xs] * channels;
        const wx = this.colWeight[xs];
        for (let c = 0; c < channels; c++) {
          const upper = source[top + left + c] + (source[top + right + c] - source[top + left + c]) * wx;
          const lower = source[bottom + left + c] + (source[bottom + right + c] - source[bottom + left + c]) * wx;
          target[t++] = (upper + (lower - upper) * wy) * affine.scale[c] + affine.offset[c];
        }
      }
    }
  }
}

/** Source index pairs and the weight of the second, for one axis. */
function fillAxis(start: number, inSize: number, outSize: number, first: Int32Array, second: Int32Array, weight: Float64Array): void {
  const scale = inSize / outSize;
  for (let i = 0; i < outSize; i++) {
    const coordinate = Math.max((i + 0.5) * scale - 0.5, 0);
    const lower = Math.min(Math.floor(coordinate), inSize - 1);
    first[i] = start + lower;
    second[i] = start + Math.min(lower + 1, inSize - 1);
    weight[i] = coordinate - lower;
  }
}

const IDENTITY: ChannelAffine = { scale: [1, 1, 1, 1], offset: [0, 0, 0, 0] };

/** Resizes one HWC image (up to 4 channels) to outHeight x outWidth; see BilinearSampler for the semantics. */
export function resizeBilinear(
  image: ArrayLike<number>,
  height: number,
  width: number,
  channels: number,
  outHeight: number,
  outWidth: number,
): Float32Array {
  const out = new Float32Array(outHeight * outWidth * channels);
  const box = { top: 0, left: 0, height, width };
  new BilinearSampler(outHeight, outWidth, channels).sample(image, 0, width, box, false, out, 0, IDENTITY);
  return out;
}
