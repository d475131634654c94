import { surrogateQuality } from '../predictors/metrics.ts';
import type { SurrogateQuality } from '../predictors/metrics.ts';
import type { ArchiveEntry } from './archive.ts';
import type { CandidateResult } from './evaluate-candidates.ts';
import type { Constraint } from './objectives.ts';
import type { SurrogateInfo } from './propose-candidates.ts';
import { readJsonIfExists, RunFileError } from './run-files.ts';

export type SurrogateReport = SurrogateInfo & Partial<SurrogateQuality> & { samples: number };

/** `iter_<it>.stats`: CNAS's keys (archive rows `[config, f1, f2, ...]`, candidates, surrogates, hv) and more. */
export interface IterationStats {
  iteration: number;
  objectives: string[];
  constraints: Constraint[];
  archive: unknown[][];
  /** Per archive row: iteration, net index and constraint violation, so post-search finds folders and feasibility. */
  archive_nets: [number, number, number][];
  candidates: unknown[][];
  failed: { net: number; reason: string }[];
  surrogates: SurrogateReport[];
  first_surrogate?: SurrogateReport;
  sec_surrogate?: SurrogateReport;
  hv?: number;
  ref_pt?: number[];
  best: Record<string, number>;
  /** Iterations since the last improvement (early stopping). */
  stall: number;
  /** FlatNAS: the alpha_norm the archive was scored with in this iteration. */
  alpha_norm?: number;
}

/**
 * Out-of-sample quality of each model: its predictions for this iteration's candidates against their
 * evaluated values. (CNAS stacked the archive's in-sample predictions in, which flatters the figures.)
 */
export function surrogateReports(
  info: readonly SurrogateInfo[],
  predicted: readonly Record<string, number>[],
  results: readonly CandidateResult[],
): SurrogateReport[] {
  return info.map((s) => {
    const pairs = results.flatMap((r, i) => (r.entry && predicted[i] ? [[predicted[i][s.key], r.entry.stats[s.key] as number]] : []));
    const report: SurrogateReport = { ...s, samples: pairs.length };
    if (s.model !== 'exact' && pairs.length >= 2) Object.assign(report, surrogateQuality(pairs.map((p) => p[0]), pairs.map((p) => p[1])));
    return report;
  });
}

export function archiveRows(entries: readonly ArchiveEntry[], F: readonly number[][]): unknown[][] {
  return entries.map((e, i) => [e.config, ...F[i]]);
}

/** Reads an iteration's stats file for resuming; a corrupt or foreign file is refused with its path. */
export function readIterationStats(path: string): IterationStats {
  const raw = readJsonIfExists(path);
  if (raw === undefined) throw new RunFileError(`${path}: no such file`);
  const s = raw as Partial<IterationStats>;
  if (typeof s !== 'object' || s === null || !Array.isArray(s.archive) || !Array.isArray(s.objectives) || typeof s.iteration !== 'number') {
    throw new RunFileError(`${path}: not a cnas iteration stats file (needs "iteration", "objectives" and "archive")`);
  }
  return s as IterationStats;
}
