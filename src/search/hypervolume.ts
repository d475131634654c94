/**
 * Hypervolume of a point set (all objectives minimised) with respect to a reference point: the volume of the
 * region that the set dominates and that dominates the reference point. Exact for any number of objectives:
 * 2-D by sort and sweep, more by slicing along the last objective (HSO, While et al. 2006), which is
 * O(n^(M-1) log n) and thus comfortable for the population sizes of the search (M <= 4, n of a few hundred).
 */
export function hypervolume(points: readonly (readonly number[])[], ref: readonly number[]): number {
  const m = ref.length;
  if (m < 1) throw new Error('the reference point needs at least one objective');
  // Points that do not strictly dominate the reference point enclose no volume.
  const inside = points.filter((p) => {
    if (p.length !== m) throw new Error(`point has ${p.length} objectives, the reference point ${m}`);
    return p.every((v, k) => v < ref[k]);
  });
  if (inside.length === 0) return 0;
  if (m === 1) return ref[0] - Math.min(...inside.map((p) => p[0]));
  return slicedVolume(inside, ref, m);
}

/** Volume over the first m objectives of points that all strictly dominate ref there. */
function slicedVolume(points: readonly (readonly number[])[], ref: readonly number[], m: number): number {
  if (m === 2) return sweep2d(points, ref);
  const last = m - 1;
  const sorted = points.slice().sort((a, b) => a[last] - b[last]);
  let volume = 0;
  for (let k = 0; k < sorted.length; k++) {
    // Between this point's level and the next one, the cross-section is the (m-1)-D volume of the first k+1.
    const top = k + 1 < sorted.length ? sorted[k + 1][last] : ref[last];
    const depth = top - sorted[k][last];
    if (depth > 0) volume += depth * slicedVolume(sorted.slice(0, k + 1), ref, last);
  }
  return volume;
}

function sweep2d(points: readonly (readonly number[])[], ref: readonly number[]): number {
  const sorted = points.slice().sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let volume = 0;
  let ceiling = ref[1];
  for (const p of sorted) {
    // Points not below the current staircase are dominated and add nothing.
    if (p[1] >= ceiling) continue;
    volume += (ref[0] - p[0]) * (ceiling - p[1]);
    ceiling = p[1];
  }
  return volume;
}

/**
 * How much adding `point` to `set` raises the hypervolume. Computed as the point's own box minus the
 * hypervolume of the set clipped to that box (the WFG "limit set"), which after dropping dominated points
 * is usually tiny, so the greedy selection stays cheap in 3 and 4 objectives too.
 */
export function hypervolumeGain(point: readonly number[], set: readonly (readonly number[])[], ref: readonly number[]): number {
  if (!point.every((v, k) => v < ref[k])) return 0;
  const box = point.reduce((volume, v, k) => volume * (ref[k] - v), 1);
  const limited = set.map((q) => q.map((v, k) => Math.max(v, point[k])));
  return Math.max(0, box - hypervolume(nonDominated(limited), ref));
}

/** Exclusive contribution of each point: HV(set) - HV(set without the point); 0 for dominated or duplicated ones. */
export function hypervolumeContributions(points: readonly (readonly number[])[], ref: readonly number[]): number[] {
  return points.map((p, i) => hypervolumeGain(p, points.filter((_, j) => j !== i), ref));
}

/** Keeps one copy of each point that no other point weakly dominates. */
function nonDominated(points: readonly (readonly number[])[]): (readonly number[])[] {
  const kept: (readonly number[])[] = [];
  for (const p of points) {
    if (kept.some((q) => q.every((v, k) => v <= p[k]))) continue;
    for (let j = kept.length - 1; j >= 0; j--) if (p.every((v, k) => v <= kept[j][k])) kept.splice(j, 1);
    kept.push(p);
  }
  return kept;
}

/** CNAS's reference point: the componentwise maximum of the DOE's objectives, fixed once and kept by the caller. */
export function hvReferencePoint(F: readonly (readonly number[])[]): number[] {
  if (F.length === 0) throw new Error('a reference point needs at least one point');
  return F[0].map((_, k) => Math.max(...F.map((f) => f[k])));
}

/**
 * CNAS's normalised hypervolume: HV w.r.t. 1.01 * refPt divided by the volume of the box from the origin to
 * that point, so values lie in [0, 1] for non-negative objectives (the setting CNAS assumes).
 */
export function normalisedHv(F: readonly (readonly number[])[], refPt: readonly number[]): number {
  const scaled = refPt.map((r) => 1.01 * r);
  return hypervolume(F, scaled) / scaled.reduce((product, r) => product * r, 1);
}
