import { Prng } from '../util/prng.ts';
import { hvReferencePoint, hypervolumeGain } from './hypervolume.ts';
import { spreadSubset } from './spread-subset.ts';

export type SubsetMethod = 'hv-contribution' | 'spread';

export interface SubsetSelectionOptions {
  /** How many candidates to pick. */
  k: number;
  /** Default 'hv-contribution'. */
  method?: SubsetMethod;
  /** Reference point of the normalised hypervolume (fixed after the DOE); default: the componentwise max of all points. */
  refPt?: readonly number[];
  /** Objective whose spacing 'spread' evens out; default 1, as CNAS. */
  spreadObjective?: number;
  /** Seeds the GA of 'spread'; default 0. */
  seed?: number;
}

/** Treats gains this close as equal, so that the spread tie-break decides instead of rounding noise. */
const GAIN_TOLERANCE = 1e-12;

/**
 * Picks exactly k of the candidates (objective vectors of a final population, minus those already in the
 * archive) to be evaluated next, given the archive's current front. Returns candidate indices in pick order
 * ('hv-contribution') or ascending ('spread'); all of them when there are no more than k.
 */
export function selectSubset(
  candidatesF: readonly (readonly number[])[],
  frontF: readonly (readonly number[])[],
  options: SubsetSelectionOptions,
): number[] {
  const { k } = options;
  if (!Number.isInteger(k) || k < 0) throw new Error(`k must be an integer >= 0, got ${k}`);
  if (candidatesF.length <= k) return candidatesF.map((_, i) => i);
  if (k === 0) return [];
  if ((options.method ?? 'hv-contribution') === 'spread') {
    const objective = options.spreadObjective ?? 1;
    return spreadSubset(
      frontF.map((f) => f[objective]),
      candidatesF.map((f) => f[objective]),
      k,
      new Prng(options.seed ?? 0),
    );
  }
  return greedyHvSubset(candidatesF, frontF, k, options.refPt ?? hvReferencePoint(frontF.concat(candidatesF)));
}

/**
 * Greedy hypervolume subset selection: each step adds the candidate that raises the normalised HV of
 * (front + picked so far) the most. Once gains tie (typically at zero, when the remaining candidates are all
 * dominated), the candidate farthest from front + picked in min-max normalised objective space wins, so the
 * batch still spreads out instead of clustering.
 */
function greedyHvSubset(
  candidatesF: readonly (readonly number[])[],
  frontF: readonly (readonly number[])[],
  k: number,
  refPt: readonly number[],
): number[] {
  // Normalised as in normalisedHv: HV w.r.t. 1.01 * refPt over the volume of that box.
  const scaledRef = refPt.map((r) => 1.01 * r);
  const boxVolume = scaledRef.reduce((product, r) => product * r, 1);
  const scale = minMaxScaler(frontF.concat(candidatesF));
  const scaled = candidatesF.map(scale);
  const nearest = scaled.map((c) => Math.min(...frontF.map((f) => distance(c, scale(f)))));
  const chosenF = frontF.slice();
  const remaining = new Set(candidatesF.map((_, i) => i));
  const picked: number[] = [];
  while (picked.length < k) {
    let best = -1;
    let bestGain = -Infinity;
    for (const c of remaining) {
      const gain = hypervolumeGain(candidatesF[c], chosenF, scaledRef) / boxVolume;
      const clearlyBetter = gain > bestGain + GAIN_TOLERANCE;
      const tiedButFarther = Math.abs(gain - bestGain) <= GAIN_TOLERANCE && nearest[c] > nearest[best];
      if (clearlyBetter || tiedButFarther) {
        best = c;
        bestGain = gain;
      }
    }
    picked.push(best);
    remaining.delete(best);
    chosenF.push(candidatesF[best]);
    for (const c of remaining) nearest[c] = Math.min(nearest[c], distance(scaled[c], scaled[best]));
  }
  return picked;
}

function minMaxScaler(points: readonly (readonly number[])[]): (p: readonly number[]) => number[] {
  const low = points[0].map((_, m) => Math.min(...points.map((p) => p[m])));
  const span = points[0].map((_, m) => Math.max(...points.map((p) => p[m])) - low[m]);
  return (p) => p.map((v, m) => (span[m] > 0 ? (v - low[m]) / span[m] : 0));
}

function distance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let m = 0; m < a.length; m++) sum += (a[m] - b[m]) ** 2;
  return Math.sqrt(sum);
}
