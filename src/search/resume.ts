import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { validateConfig } from '../space/config.ts';
import type { SearchSpace } from '../space/definition.ts';
import { ConfigError } from '../space/errors.ts';
import type { Stats } from './evaluator.ts';
import { completedIterations, netsInIteration, netStatsPath, netSubnetPath, readJsonIfExists, RUN_FILE, RunFileError } from './run-files.ts';
import { DEFAULT_SEARCH_OPTIONS, parseOptionsLayer } from './search-options.ts';
import type { SearchOptions } from './search-options.ts';

export interface ResumePoint {
  save: string;
  /** Last completed iteration to continue after; -1 when even the DOE did not finish. */
  after: number;
  saved: Partial<SearchOptions>;
}

/**
 * Where to resume: `<save>/iter_N`, `<save>/iter_N.stats`, or `<save>` itself (after its last completed
 * iteration). Refuses paths that are not a cnas run, naming what is missing.
 */
export function locateResume(path: string): ResumePoint {
  const trimmed = path.replace(/\/+$/, '').replace(/\.stats$/, '');
  const m = /^iter_(\d+)$/.exec(basename(trimmed));
  const save = m ? dirname(trimmed) : trimmed;
  if (!existsSync(save) || !statSync(save).isDirectory()) throw new RunFileError(`${path}: no such run directory`);
  const runFile = join(save, RUN_FILE);
  const raw = readJsonIfExists(runFile);
  if (raw === undefined) throw new RunFileError(`${path}: ${runFile} is missing, so this is not a cnas run directory`);
  const saved = parseOptionsLayer(raw, runFile);
  const done = completedIterations(save);
  if (!m) return { save, after: done.length > 0 ? done[done.length - 1] : -1, saved };
  const n = Number(m[1]);
  if (!done.includes(n)) {
    const last = done.length > 0 ? `the last completed one is iter_${done[done.length - 1]}` : 'no iteration has completed; resume with the run directory itself';
    throw new RunFileError(`${path}: iteration ${n} did not complete (no iter_${n}.stats); ${last}`);
  }
  return { save, after: n, saved };
}

/** Settings that must not change when a run is resumed, or the archive would mean something else. */
const FIXED_ON_RESUME: readonly (keyof SearchOptions)[] = [
  'search_space', 'width_mult', 'space_file', 'lr', 'ur', 'rstep', 'n_classes', 'evaluator', 'dataset', 'first_obj', 'sec_obj',
  // measured objectives: other boards, another aggregation or another tiny_ml source would change what the archive's values mean
  'board', 'board_agg', 'tiny_ml_source',
];

export function checkResumeCompatible(saved: Partial<SearchOptions>, current: SearchOptions, source: string): void {
  for (const key of FIXED_ON_RESUME) {
    // a run.json written before a setting existed ran with its default
    const was = saved[key] ?? DEFAULT_SEARCH_OPTIONS[key];
    if (JSON.stringify(was) !== JSON.stringify(current[key])) {
      const what = key === 'search_space' ? 'belongs to another search space' : `was run with another ${key}`;
      throw new RunFileError(`${source} ${what}: ${key} ${JSON.stringify(was)} there, ${JSON.stringify(current[key])} now`);
    }
  }
}

/** A config and, if it finished, its stats, read back from `iter_N/net_i/`. */
export interface StoredNet {
  net: number;
  config: ReturnType<typeof validateConfig>;
  stats?: Stats;
}

export function readIterationNets(space: SearchSpace, save: string, iteration: number): StoredNet[] {
  return netsInIteration(save, iteration).map((net) => {
    const path = netSubnetPath(save, iteration, net);
    let config;
    try {
      config = validateConfig(space, readJsonIfExists(path));
    } catch (err) {
      if (err instanceof ConfigError) throw new RunFileError(`${path}: ${err.message}`);
      throw err;
    }
    const stats = readJsonIfExists(netStatsPath(save, iteration, net)) as Stats | undefined;
    return stats === undefined ? { net, config } : { net, config, stats };
  });
}
