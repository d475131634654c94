import { statValue } from './archive.ts';
import type { ArchiveEntry } from './archive.ts';

/** How an objective's value is read from an archive entry (derived objectives are computed, not stored). */
export type ValueOf = (entry: ArchiveEntry, key: string) => number;

/** What derived objectives depend on, refreshed by the search loop every iteration. */
export interface ObjectiveContext {
  /** Weight of top1 in top1_robust (FlatNAS's alpha). */
  alpha: number;
  /** mean(top1) / mean(robustness) of the archive so far; 1 for the DOE, as CNAS. */
  alphaNorm: number;
}

/** The stats keys an objective is computed from: top1_robust is a mix of two stored keys. */
export function storedKeys(key: string): string[] {
  return key === 'top1_robust' ? ['top1', 'robustness'] : [key];
}

/** FlatNAS: top1_robust = round(alpha * top1 + alpha_norm * (1 - alpha) * robustness, 2). */
export function top1Robust(top1: number, robustness: number, alpha: number, alphaNorm: number): number {
  return Math.round((alpha * top1 + alphaNorm * (1 - alpha) * robustness) * 100) / 100;
}

/**
 * CNAS's alpha_norm: mean top-1 error over mean robustness of the archive, so both terms of top1_robust weigh
 * alike whatever their scales. An archive whose robustness is all zero keeps 1.
 */
export function alphaNorm(entries: readonly ArchiveEntry[]): number {
  if (entries.length === 0) return 1;
  const mean = (key: string): number => entries.reduce((s, e) => s + statValue(e.stats, key), 0) / entries.length;
  const robustness = mean('robustness');
  return robustness > 0 ? mean('top1') / robustness : 1;
}

/**
 * Objective values under a context: top1_robust is recomputed from top1 and robustness with the current
 * alpha_norm (so the whole archive is rescored every iteration); every other key is read as stored.
 */
export function valueOfWith(ctx: ObjectiveContext): ValueOf {
  return (entry, key) =>
    key === 'top1_robust' ? top1Robust(statValue(entry.stats, 'top1'), statValue(entry.stats, 'robustness'), ctx.alpha, ctx.alphaNorm) : statValue(entry.stats, key);
}
