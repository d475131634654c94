import type { SubnetConfig } from '../space/config.ts';
import type { Stats } from './evaluator.ts';
import { constraintViolation } from './objectives.ts';
import type { Constraint } from './objectives.ts';

/** One evaluated architecture. `key` identifies the config (canonical genes), so duplicates are found. */
export interface ArchiveEntry {
  config: SubnetConfig;
  genes: number[];
  key: string;
  stats: Stats;
  iteration: number;
  net: number;
}

/** Numeric value of a stats key, or an explanation of why it is missing. */
export function statValue(stats: Stats, key: string): number {
  const v = stats[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`stats have no numeric "${key}" (got ${JSON.stringify(v)})`);
  return v;
}

/** Checks that an evaluator's stats carry every key the search needs; returns the reason if not. */
export function missingKeys(stats: Stats, keys: readonly string[]): string | undefined {
  const missing = keys.filter((k) => typeof stats[k] !== 'number' || !Number.isFinite(stats[k] as number));
  return missing.length > 0 ? `stats lack numeric ${missing.map((k) => `"${k}"`).join(', ')}` : undefined;
}

export function objectiveMatrix(entries: readonly ArchiveEntry[], objectives: readonly string[], valueOf: (e: ArchiveEntry, key: string) => number = (e, k) => statValue(e.stats, k)): number[][] {
  return entries.map((e) => objectives.map((k) => valueOf(e, k)));
}

export function violations(entries: readonly ArchiveEntry[], constraints: readonly Constraint[]): number[] {
  return entries.map((e) => constraintViolation(constraints.map((c) => statValue(e.stats, c.key)), constraints));
}

/** Adds entries; an identical config seen before is replaced by the newer one (CNAS's resume rule). */
export function appendToArchive(archive: ArchiveEntry[], entries: readonly ArchiveEntry[]): void {
  for (const entry of entries) {
    const i = archive.findIndex((e) => e.key === entry.key);
    if (i >= 0) archive.splice(i, 1);
    archive.push(entry);
  }
}
