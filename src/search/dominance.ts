/**
 * Deb's constraint-domination and the fast non-dominated sort built on it. All objectives are minimised;
 * a violation CV of 0 means feasible.
 */

/** 1 when a constraint-dominates b, -1 when b constraint-dominates a, 0 when neither does. */
export function constrainedDominance(
  fa: readonly number[],
  cvA: number,
  fb: readonly number[],
  cvB: number,
): -1 | 0 | 1 {
  // Any infeasible party makes the violation decide alone: feasible (0) beats infeasible, lower CV beats higher.
  if (cvA > 0 || cvB > 0) return cvA < cvB ? 1 : cvB < cvA ? -1 : 0;
  let aBetter = false;
  let bBetter = false;
  for (let m = 0; m < fa.length; m++) {
    if (fa[m] < fb[m]) aBetter = true;
    else if (fb[m] < fa[m]) bBetter = true;
    if (aBetter && bBetter) return 0;
  }
  return aBetter ? 1 : bBetter ? -1 : 0;
}

/** Pareto dominance of feasible points: no worse in every objective and better in at least one. */
export function dominates(fa: readonly number[], fb: readonly number[]): boolean {
  return constrainedDominance(fa, 0, fb, 0) === 1;
}

/**
 * Deb's fast non-dominated sort under constraint-domination, O(M N^2). Returns the fronts as index lists,
 * best front first; every index appears in exactly one front.
 */
export function nonDominatedSort(F: readonly (readonly number[])[], CV?: readonly number[]): number[][] {
  const n = F.length;
  const dominatorCount = new Int32Array(n);
  const dominated: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    const cvI = CV?.[i] ?? 0;
    for (let j = i + 1; j < n; j++) {
      const relation = constrainedDominance(F[i], cvI, F[j], CV?.[j] ?? 0);
      if (relation === 1) {
        dominated[i].push(j);
        dominatorCount[j]++;
      } else if (relation === -1) {
        dominated[j].push(i);
        dominatorCount[i]++;
      }
    }
  }
  const fronts: number[][] = [];
  let current: number[] = [];
  for (let i = 0; i < n; i++) if (dominatorCount[i] === 0) current.push(i);
  while (current.length > 0) {
    fronts.push(current);
    const next: number[] = [];
    for (const i of current) {
      for (const j of dominated[i]) if (--dominatorCount[j] === 0) next.push(j);
    }
    current = next;
  }
  return fronts;
}
