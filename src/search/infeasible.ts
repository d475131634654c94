import type { ArchiveEntry } from './archive.ts';
import { statValue } from './archive.ts';
import { CONSTRAINT_FLAGS, objectiveInfo } from './objectives.ts';
import type { Constraint } from './objectives.ts';

/** A constraint of a search in which no candidate was feasible, and the best value any candidate reached. */
export interface UnmetConstraint {
  /** The constrained stats key, e.g. `ram_kb`. */
  constraint: string;
  limit: number;
  /** The lowest value of the key over every evaluated candidate (estimates included for boards that refused). */
  best: number;
}

/**
 * Why a search found nothing feasible: the constraints that no candidate met, each with the best value reached.
 * When every constraint was met by some candidate but never all by one, all of them are returned (each met
 * alone). Empty when some candidate is feasible (or there are no constraints).
 */
export function unmetConstraints(archive: readonly ArchiveEntry[], constraints: readonly Constraint[], cv: readonly number[]): UnmetConstraint[] {
  if (constraints.length === 0 || archive.length === 0 || cv.some((v) => v === 0)) return [];
  const all = constraints.map((c) => ({ constraint: c.key, limit: c.max, best: Math.min(...archive.map((e) => statValue(e.stats, c.key))) }));
  const unmet = all.filter((u) => u.best > u.limit);
  return unmet.length > 0 ? unmet : all;
}

function flagOf(key: string): string {
  return CONSTRAINT_FLAGS.find((c) => c.key === key)?.flag.split(' ')[0] ?? key;
}

function withUnit(key: string, value: number): string {
  const unit = objectiveInfo(key)?.unit;
  return `${Number(value.toPrecision(4))}${unit ? ` ${unit}` : ''}`;
}

/** The summary's lines about a search without a feasible candidate; none when some candidate was feasible. */
export function describeUnmet(unmet: readonly UnmetConstraint[]): string[] {
  if (unmet.length === 0) return [];
  const alone = unmet.every((u) => u.best <= u.limit);
  const lines = alone
    ? [
        `no candidate met ${unmet.map((u) => `${flagOf(u.constraint)} ${u.limit}`).join(' and ')} together; ` +
          `each alone was met (best ${unmet.map((u) => `${u.constraint} ${withUnit(u.constraint, u.best)}`).join(', ')})`,
      ]
    : unmet.map((u) => `no candidate met ${flagOf(u.constraint)} ${u.limit}: the lowest ${u.constraint} of any candidate was ${withUnit(u.constraint, u.best)}`);
  return [...lines, 'no feasible front: the values below are those of the least-violating candidates'];
}
