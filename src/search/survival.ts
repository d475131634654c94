import { crowdingDistance } from './crowding.ts';
import { nonDominatedSort } from './dominance.ts';

/** Survivors in order (rank ascending, then crowding descending), with the rank and crowding of each. */
export interface Survivors {
  indices: number[];
  rank: number[];
  crowding: number[];
}

/**
 * NSGA-II survival: whole fronts under constraint-domination while they fit, then the least crowded members
 * of the front that overflows. Keeping every front sorted by crowding also gives the final result its order.
 */
export function rankAndCrowdingSurvival(
  F: readonly (readonly number[])[],
  CV: readonly number[],
  count: number,
): Survivors {
  const survivors: Survivors = { indices: [], rank: [], crowding: [] };
  const fronts = nonDominatedSort(F, CV);
  for (let r = 0; r < fronts.length && survivors.indices.length < count; r++) {
    const front = fronts[r];
    const distance = crowdingDistance(F, front);
    // Ties keep the front's own order, so the outcome depends only on the inputs (and thus on the seed).
    const order = Array.from({ length: front.length }, (_, k) => k).sort((a, b) => distance[b] - distance[a] || a - b);
    for (const k of order) {
      if (survivors.indices.length === count) break;
      survivors.indices.push(front[k]);
      survivors.rank.push(r);
      survivors.crowding.push(distance[k]);
    }
  }
  return survivors;
}
