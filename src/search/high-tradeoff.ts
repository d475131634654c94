/** Neighbourhood radius in normalised objective units (pymoo's default, which CNAS applied to raw units). */
const EPSILON = 0.125;

function normalise(F: readonly (readonly number[])[]): number[][] {
  const m = F[0].length;
  const lo = Array.from({ length: m }, (_, j) => Math.min(...F.map((f) => f[j])));
  const hi = Array.from({ length: m }, (_, j) => Math.max(...F.map((f) => f[j])));
  return F.map((f) => f.map((v, j) => (hi[j] > lo[j] ? (v - lo[j]) / (hi[j] - lo[j]) : 0)));
}

function distance(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j] - b[j]) ** 2;
  return Math.sqrt(s);
}

/**
 * Trade-off of every point of a non-dominated set (Rachmawati and Srinivasan, pymoo's HighTradeoffPoints):
 * among its neighbours, the least "sacrifice / gain" of moving there. Objectives are min-max normalised first so
 * the 0.125 radius means the same for every objective. Points with no defined trade-off get -Infinity
 * (pymoo's NaN sorted them first).
 */
export function tradeoffScores(front: readonly (readonly number[])[]): number[] {
  const F = normalise(front);
  const n = F.length;
  const minNeighbours = Math.min(4, n - 1);
  return F.map((fi, i) => {
    const byDistance = F.map((fj, j) => ({ j, d: distance(fi, fj) })).sort((a, b) => a.d - b.d || a.j - b.j);
    let neighbours = byDistance.filter((x) => x.d <= EPSILON);
    if (neighbours.length < minNeighbours) neighbours = byDistance.slice(0, minNeighbours + 1);
    let mu = Number.NaN;
    for (const { j } of neighbours) {
      if (j === i) continue;
      let sacrifice = 0;
      let gain = 0;
      for (let k = 0; k < fi.length; k++) {
        sacrifice += Math.max(0, F[j][k] - fi[k]);
        gain += Math.max(0, fi[k] - F[j][k]);
      }
      const ratio = gain === 0 ? (sacrifice === 0 ? Number.NaN : Infinity) : sacrifice / gain;
      if (!Number.isNaN(ratio) && !(ratio >= mu)) mu = ratio;
    }
    return Number.isNaN(mu) ? -Infinity : mu;
  });
}

/** Indices of the n points with the highest trade-off, best first (ties: lower index first). */
export function highTradeoffPoints(front: readonly (readonly number[])[], n: number): number[] {
  const mu = tradeoffScores(front);
  return mu
    .map((m, i) => ({ m, i }))
    .sort((a, b) => b.m - a.m || a.i - b.i)
    .slice(0, n)
    .map((x) => x.i);
}
