import { Prng } from '../util/prng.ts';
import type { Dataset, Rgb } from './dataset.ts';
import { MAX_CLASSES } from './dataset.ts';
import { checkPositiveInteger, DatasetError } from './errors.ts';
import { shuffleInPlace } from './shuffle.ts';

export interface SyntheticOptions {
  /** Default 10. */
  classes?: number;
  /** Image side in pixels; default 32. The pattern is defined in image-relative units, so it looks alike at any size. */
  resolution?: number;
}

/** Round values near the generator's measured pixel statistics (mean about 0.515, std about 0.227 per channel). */
export const SYNTHETIC_MEAN: Rgb = [0.5, 0.5, 0.5];
export const SYNTHETIC_STD: Rgb = [0.25, 0.25, 0.25];

/** Stripe periods, as fractions of the image side; each class uses one. */
const PERIODS = [0.1, 0.15, 0.23];
/** Fixed so that class signatures never depend on the sample seed: train and test sets must agree. */
const SIGNATURE_SEED = 0x5eed;
/** Half-width of the uniform pixel noise. */
const NOISE = 0.1;

/**
 * Procedural images whose class shows in a striped colour patch (a Gabor-like grating under a Gaussian window):
 * - class signature: hue c/classes; stripe orientation (a fixed class permutation spaced pi/classes apart);
 *   stripe period (one of three, by another fixed permutation). The cues are assigned independently, so
 *   classes close in one cue are mostly far apart in another.
 * - per image, random: patch centre (middle 40 % of the image), window width (0.18-0.32 of the side),
 *   stripe phase, strength (55-90 % opacity); jitter around the signature: hue sd 0.05, orientation sd
 *   0.2 rad, period sd 10 %; saturation 0.6-1.
 * - nuisances: a background of random colour (each channel 0.2-1) with a linear shading of +/-0.15 in a
 *   random direction, a weaker second patch with random hue, orientation and period anywhere in the image, and
 *   uniform pixel noise of +/-0.1.
 * With 10 classes no single cue separates the classes (hue and orientation jitter overlap neighbours), so a
 * small CNN learns it well above chance without reaching 100 %; more classes make it harder, like CIFAR-100.
 * Labels are balanced (counts differ by at most one) and shuffled. Same (size, seed, options), same bytes.
 */
export function synthetic(size: number, seed: number, options: SyntheticOptions = {}): Dataset {
  const classes = options.classes ?? 10;
  const side = options.resolution ?? 32;
  checkPositiveInteger('size', size);
  checkPositiveInteger('resolution', side);
  if (!Number.isInteger(classes) || classes < 2 || classes > MAX_CLASSES) {
    throw new DatasetError(`option classes: ${classes} is not an integer in [2, ${MAX_CLASSES}]`);
  }
  const signatures = classSignatures(classes);
  const prng = new Prng(seed);
  const labels = balancedLabels(size, classes, prng);
  const images = new Uint8Array(size * side * side * 3);
  const painter = new Painter(side);
  for (let i = 0; i < size; i++) painter.paint(signatures[labels[i]], prng, images, i * side * side * 3);
  return {
    name: 'synthetic',
    classes,
    classNames: Array.from({ length: classes }, (_, c) => `class${c}`),
    size,
    height: side,
    width: side,
    channels: 3,
    mean: SYNTHETIC_MEAN,
    std: SYNTHETIC_STD,
    images,
    labels,
  };
}

interface Signature {
  readonly hue: number;
  readonly orientation: number;
  readonly period: number;
}

function classSignatures(classes: number): Signature[] {
  const prng = new Prng(SIGNATURE_SEED + classes);
  const orientationRank = Array.from({ length: classes }, (_, c) => c);
  const periodRank = orientationRank.slice();
  shuffleInPlace(orientationRank, prng);
  shuffleInPlace(periodRank, prng);
  return orientationRank.map((rank, c) => ({
    hue: c / classes,
    orientation: (Math.PI * rank) / classes,
    period: PERIODS[periodRank[c] % PERIODS.length],
  }));
}

function balancedLabels(size: number, classes: number, prng: Prng): Uint8Array {
  const labels = Array.from({ length: size }, (_, i) => i % classes);
  shuffleInPlace(labels, prng);
  return Uint8Array.from(labels);
}

/** A striped patch: colour * stripe, blended over what is below with opacity strength * window. */
interface Patch {
  centreX: number;
  centreY: number;
  width: number;
  orientation: number;
  period: number;
  phase: number;
  strength: number;
  colour: Rgb;
}

/**
 * Renders images using separable tables: the Gaussian window is a product of per-row and per-column factors,
 * and sin(kx*x + ky*y + phase) expands into per-row and per-column sines and cosines, so each pixel costs
 * a few multiplications instead of an exp and a sin per patch. The tables are reused for every image.
 */
class Painter {
  private readonly main: PatchTables;
  private readonly distractor: PatchTables;

  constructor(private readonly side: number) {
    this.main = new PatchTables(side);
    this.distractor = new PatchTables(side);
  }

  paint(signature: Signature, prng: Prng, target: Uint8Array, offset: number): void {
    const background = [0.2 + 0.8 * prng.next(), 0.2 + 0.8 * prng.next(), 0.2 + 0.8 * prng.next()];
    const shadeAngle = 2 * Math.PI * prng.next();
    const shadeX = 0.3 * Math.cos(shadeAngle);
    const shadeY = 0.3 * Math.sin(shadeAngle);
    const { main, distractor } = this;
    main.set(this.classPatch(signature, prng), this.side);
    distractor.set(this.distractorPatch(prng), this.side);
    let t = offset;
    for (let y = 0; y < this.side; y++) {
      const v = (y + 0.5) / this.side - 0.5;
      for (let x = 0; x < this.side; x++) {
        const u = (x + 0.5) / this.side - 0.5;
        const shade = u * shadeX + v * shadeY;
        const mainAlpha = main.alpha(y, x);
        const mainStripe = main.stripe(y, x);
        const distractorAlpha = distractor.alpha(y, x);
        const distractorStripe = distractor.stripe(y, x);
        // One draw gives the noise of all three channels (10 bits each): the PRNG call is the costliest step here.
        const noiseBits = prng.nextUint32();
        for (let c = 0; c < 3; c++) {
          let value = background[c] + shade;
          value += distractorAlpha * (distractor.colour[c] * distractorStripe - value);
          value += mainAlpha * (main.colour[c] * mainStripe - value);
          value += NOISE * (((noiseBits >>> (10 * c)) & 1023) / 511.5 - 1);
          target[t++] = Math.round(255 * Math.min(1, Math.max(0, value)));
        }
      }
    }
  }

  private classPatch(signature: Signature, prng: Prng): Patch {
    return {
      centreX: 0.3 + 0.4 * prng.next(),
      centreY: 0.3 + 0.4 * prng.next(),
      width: 0.18 + 0.14 * prng.next(),
      orientation: signature.orientation + 0.2 * prng.normal(),
      period: signature.period * (1 + 0.1 * prng.normal()),
      phase: 2 * Math.PI * prng.next(),
      strength: 0.55 + 0.35 * prng.next(),
      colour: hueToRgb(signature.hue + 0.05 * prng.normal(), 0.6 + 0.4 * prng.next()),
    };
  }

  private distractorPatch(prng: Prng): Patch {
    return {
      centreX: prng.next(),
      centreY: prng.next(),
      width: 0.1 + 0.1 * prng.next(),
      orientation: Math.PI * prng.next(),
      period: prng.pick(PERIODS),
      phase: 2 * Math.PI * prng.next(),
      strength: 0.25 + 0.25 * prng.next(),
      colour: hueToRgb(prng.next(), 0.6 + 0.4 * prng.next()),
    };
  }
}

class PatchTables {
  colour: Rgb = [0, 0, 0];
  private strength = 0;
  private readonly windowX: Float64Array;
  private readonly windowY: Float64Array;
  private readonly sinX: Float64Array;
  private readonly cosX: Float64Array;
  private readonly sinY: Float64Array;
  private readonly cosY: Float64Array;

  constructor(side: number) {
    this.windowX = new Float64Array(side);
    this.windowY = new Float64Array(side);
    this.sinX = new Float64Array(side);
    this.cosX = new Float64Array(side);
    this.sinY = new Float64Array(side);
    this.cosY = new Float64Array(side);
  }

  set(patch: Patch, side: number): void {
    this.colour = patch.colour;
    this.strength = patch.strength;
    const frequency = (2 * Math.PI) / patch.period;
    const kx = frequency * Math.cos(patch.orientation);
    const ky = frequency * Math.sin(patch.orientation);
    const spread = 2 * patch.width * patch.width;
    for (let i = 0; i < side; i++) {
      const position = (i + 0.5) / side;
      this.windowX[i] = Math.exp(-((position - patch.centreX) ** 2) / spread);
      this.windowY[i] = Math.exp(-((position - patch.centreY) ** 2) / spread);
      this.sinX[i] = Math.sin(kx * position + patch.phase);
      this.cosX[i] = Math.cos(kx * position + patch.phase);
      this.sinY[i] = Math.sin(ky * position);
      this.cosY[i] = Math.cos(ky * position);
    }
  }

  alpha(y: number, x: number): number {
    return this.strength * this.windowX[x] * this.windowY[y];
  }

  /** 0.5 + 0.5 sin(kx x + ky y + phase), in [0, 1]. */
  stripe(y: number, x: number): number {
    return 0.5 + 0.5 * (this.sinX[x] * this.cosY[y] + this.cosX[x] * this.sinY[y]);
  }
}

/** Fully bright HSV colour; hue wraps around 1. */
function hueToRgb(hue: number, saturation: number): Rgb {
  const h = (((hue % 1) + 1) % 1) * 6;
  const channel = (n: number): number => {
    const k = (n + h) % 6;
    return 1 - saturation * Math.max(0, Math.min(k, 4 - k, 1));
  };
  return [channel(5), channel(3), channel(1)];
}
