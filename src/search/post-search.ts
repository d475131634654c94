import { cpSync, existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.ts';
import type { SubnetConfig } from '../space/config.ts';
import { nonDominatedSort } from './dominance.ts';
import type { Stats } from './evaluator.ts';
import { highTradeoffPoints } from './high-tradeoff.ts';
import { readIterationStats } from './iteration-stats.ts';
import { netDir, readJsonIfExists, RUN_FILE, RunFileError } from './run-files.ts';

export interface PostSearchOptions {
  /** `<save>/iter_N.stats` (the extension may be left out). */
  expr: string;
  /** Where the chosen nets are copied. */
  save: string;
  n: number;
  /** `trade-off`, or a stats key whose lowest values are wanted. */
  prefer: string;
  /** Keep only networks with exactly this many early exits (final exit excluded). */
  nExits?: number;
  saveStatsCsv?: boolean;
}

export interface SelectedNet {
  rank: number;
  dir: string;
  iteration: number;
  net: number;
  config: SubnetConfig;
  stats: Stats;
}

function exitCount(config: SubnetConfig): number {
  if (config.b) return config.b.filter((b) => b === 1).length;
  if (config.t) return config.t.filter((t) => t !== 1).length;
  return 0;
}

function csvCell(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One row per selected net with every stats key (lists and objects as JSON). */
export function statsCsv(selected: readonly SelectedNet[]): string {
  const keys = [...new Set(selected.flatMap((s) => Object.keys(s.stats)))];
  const header = ['rank', 'dir', 'iteration', 'net', ...keys, 'config'];
  const rows = selected.map((s) => [s.rank, basename(s.dir), s.iteration, s.net, ...keys.map((k) => s.stats[k]), s.config].map(csvCell).join(','));
  return [header.join(','), ...rows].join('\n') + '\n';
}

/**
 * CNAS's post_search: choose n architectures of an iteration's archive, by the highest trade-off on the
 * (feasible) Pareto front, then the next fronts if it is smaller than n, or by the lowest value of one key, and copy each net's folder (config, stats,
 * checkpoint) to `<save>/net-<prefer>_<rank>` with the files renamed `net.subnet` and `net.stats`, plus the
 * run's `run.json`.
 */
export function postSearch(o: PostSearchOptions): SelectedNet[] {
  const statsPath = o.expr.endsWith('.stats') ? o.expr : `${o.expr}.stats`;
  const runDir = dirname(statsPath);
  const it = readIterationStats(statsPath);
  if (!Array.isArray(it.archive_nets) || it.archive_nets.length !== it.archive.length) {
    throw new RunFileError(`${statsPath}: has no "archive_nets" matching its archive; it was not written by cnas search`);
  }
  let rows = it.archive.map((row, i) => {
    const [iteration, net, cv] = it.archive_nets[i];
    const stats = readJsonIfExists(join(netDir(runDir, iteration, net), `net_${net}.stats`)) as Stats | undefined;
    if (stats === undefined) throw new RunFileError(`${join(netDir(runDir, iteration, net), `net_${net}.stats`)}: missing`);
    return { config: row[0] as SubnetConfig, F: row.slice(1) as number[], iteration, net, cv, stats };
  });
  if (o.nExits !== undefined) rows = rows.filter((r) => exitCount(r.config) === o.nExits);
  const feasible = rows.filter((r) => r.cv === 0);
  const pool = feasible.length > 0 ? feasible : rows;
  if (pool.length === 0) throw new RunFileError(`${statsPath}: no architecture matches${o.nExits !== undefined ? ` --n-exits ${o.nExits}` : ''}`);

  let chosen: typeof pool;
  if (o.prefer === 'trade-off') {
    if (it.objectives.length < 2) throw new RunFileError(`${statsPath}: trade-off needs two or more objectives; this search had ${it.objectives.join(', ')}; use --prefer ${it.objectives[0]}`);
    // The Pareto front first; when it holds fewer than n, the next fronts fill up, each by trade-off.
    chosen = [];
    for (const indices of nonDominatedSort(pool.map((r) => r.F))) {
      if (chosen.length >= o.n) break;
      const front = indices.map((i) => pool[i]);
      chosen.push(...highTradeoffPoints(front.map((r) => r.F), o.n - chosen.length).map((i) => front[i]));
    }
  } else {
    const column = it.objectives.indexOf(o.prefer);
    const value = (r: (typeof pool)[number]): number => {
      // An objective as the search scored it (top1_robust is derived); any other key as stored.
      if (column >= 0) return r.F[column];
      const v = r.stats[o.prefer];
      if (typeof v !== 'number') throw new RunFileError(`--prefer ${o.prefer}: net ${r.iteration}/${r.net} has no numeric "${o.prefer}"; objectives of this search: ${it.objectives.join(', ')}`);
      return v;
    };
    chosen = pool.slice().sort((a, b) => value(a) - value(b)).slice(0, o.n);
  }

  const suffix = o.nExits !== undefined ? `_exits${o.nExits}` : '';
  const targets = chosen.map((_, rank) => join(o.save, `net-${o.prefer}_${rank}${suffix}`));
  const clash = targets.find((t) => existsSync(t));
  if (clash) throw new RunFileError(`${clash} already exists; choose another --save`);
  mkdirSync(o.save, { recursive: true });
  const selected = chosen.map((r, rank) => {
    const dir = targets[rank];
    cpSync(netDir(runDir, r.iteration, r.net), dir, { recursive: true });
    for (const name of readdirSync(dir)) {
      const m = /^net_\d+\.(subnet|stats)$/.exec(name);
      if (m) renameSync(join(dir, name), join(dir, `net.${m[1]}`));
    }
    // The search's settings (space, dataset, classes) travel with the net, so `cnas train <dir>` needs no flags.
    if (existsSync(join(runDir, RUN_FILE))) cpSync(join(runDir, RUN_FILE), join(dir, RUN_FILE));
    return { rank, dir, iteration: r.iteration, net: r.net, config: r.config, stats: r.stats };
  });
  if (o.saveStatsCsv) writeFileAtomic(join(o.save, 'selected.csv'), statsCsv(selected));
  return selected;
}
