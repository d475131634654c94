import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * The run directory (compatible in spirit with CNAS):
 *   run.json                       resolved configuration of the run
 *   iter_<it>/net_<i>/net_<i>.subnet, net_<i>.stats
 *   iter_<it>.stats                archive, candidates, surrogate quality, hv (every iteration, also 0)
 *   failed/it_<it>_net_<i>.subnet  + .error with the reason
 */

export const RUN_FILE = 'run.json';

export function iterationDir(save: string, it: number): string {
  return join(save, `iter_${it}`);
}

export function iterationStatsPath(save: string, it: number): string {
  return join(save, `iter_${it}.stats`);
}

export function netDir(save: string, it: number, net: number): string {
  return join(iterationDir(save, it), `net_${net}`);
}

export function netSubnetPath(save: string, it: number, net: number): string {
  return join(netDir(save, it, net), `net_${net}.subnet`);
}

export function netStatsPath(save: string, it: number, net: number): string {
  return join(netDir(save, it, net), `net_${net}.stats`);
}

export function failedPath(save: string, it: number, net: number, ext: 'subnet' | 'error'): string {
  return join(save, 'failed', `it_${it}_net_${net}.${ext}`);
}

/** Net indices present in an iteration folder, ascending. */
export function netsInIteration(save: string, it: number): number[] {
  const dir = iterationDir(save, it);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => /^net_(\d+)$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .filter((i) => existsSync(netSubnetPath(save, it, i)))
    .sort((a, b) => a - b);
}

/** Iterations with a finished `iter_<it>.stats`, ascending. */
export function completedIterations(save: string): number[] {
  if (!existsSync(save)) return [];
  return readdirSync(save)
    .map((name) => /^iter_(\d+)\.stats$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** Parses a JSON file, reporting the path and the problem; `undefined` when the file does not exist. */
export function readJsonIfExists(path: string): unknown {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RunFileError(`${path}: corrupt JSON (${(err as Error).message})`);
  }
}

/** A run directory or one of its files that cannot be used. */
export class RunFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunFileError';
  }
}
