import { existsSync } from 'node:fs';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.ts';
import { canonicalGenes, encodeConfig, genesKey } from '../space/encoding.ts';
import type { SubnetConfig } from '../space/config.ts';
import type { SearchSpace } from '../space/definition.ts';
import { missingKeys } from './archive.ts';
import type { ArchiveEntry } from './archive.ts';
import type { EvalOutcome, Evaluator, Stats } from './evaluator.ts';
import { failedPath, netDir, netStatsPath, netSubnetPath, readJsonIfExists, RunFileError } from './run-files.ts';

export interface CandidateResult {
  net: number;
  config: SubnetConfig;
  /** The archive entry when the candidate succeeded. */
  entry?: ArchiveEntry;
  failure?: string;
  /** True when its stats were already on disk (a resumed run). */
  reused: boolean;
}

export interface EvaluateSettings {
  save: string;
  iteration: number;
  space: SearchSpace;
  evaluator: Evaluator;
  /** Keys every stats record must carry (objectives and constraints). */
  requiredKeys: readonly string[];
  /** Passed to the evaluator with every request (FlatNAS's alpha_norm); default 1. */
  alphaNorm?: number;
  onResult?: (result: CandidateResult, done: number, total: number) => void;
}

function entryOf(space: SearchSpace, config: SubnetConfig, stats: Stats, iteration: number, net: number): ArchiveEntry {
  const genes = canonicalGenes(space, encodeConfig(space, config));
  return { config, genes, key: genesKey(genes), stats, iteration, net };
}

function recordFailure(s: EvaluateSettings, net: number, config: SubnetConfig, reason: string): void {
  writeJsonAtomic(failedPath(s.save, s.iteration, net, 'subnet'), config);
  writeFileAtomic(failedPath(s.save, s.iteration, net, 'error'), reason + '\n');
}

/**
 * Evaluates the candidates of one iteration through the run directory: each config is written to
 * `iter_N/net_i/net_i.subnet` first; one whose `.stats` already exists is not evaluated again; every result is
 * written atomically as soon as it is known, so a run killed at any moment resumes without losing or
 * repeating work. A failure is recorded in `failed/` with its reason and shifts nobody else's results.
 */
export async function evaluateCandidates(configs: readonly SubnetConfig[], s: EvaluateSettings): Promise<CandidateResult[]> {
  const results: CandidateResult[] = new Array(configs.length);
  const pending: number[] = [];
  let done = 0;
  configs.forEach((config, net) => {
    const subnet = netSubnetPath(s.save, s.iteration, net);
    if (!existsSync(subnet)) writeJsonAtomic(subnet, config);
    const stats = readJsonIfExists(netStatsPath(s.save, s.iteration, net));
    if (stats === undefined) {
      pending.push(net);
      return;
    }
    if (typeof stats !== 'object' || stats === null) throw new RunFileError(`${netStatsPath(s.save, s.iteration, net)}: not a stats object`);
    const missing = missingKeys(stats as Stats, s.requiredKeys);
    results[net] = missing
      ? { net, config, failure: missing, reused: true }
      : { net, config, entry: entryOf(s.space, config, stats as Stats, s.iteration, net), reused: true };
    s.onResult?.(results[net], ++done, configs.length);
  });
  if (pending.length === 0) return results;

  const settle = (k: number, outcome: EvalOutcome): void => {
    const net = pending[k];
    const config = configs[net];
    const failure = outcome.ok ? missingKeys(outcome.stats, s.requiredKeys) : outcome.reason;
    if (outcome.ok && failure === undefined) {
      writeJsonAtomic(netStatsPath(s.save, s.iteration, net), outcome.stats);
      results[net] = { net, config, entry: entryOf(s.space, config, outcome.stats, s.iteration, net), reused: false };
    } else {
      recordFailure(s, net, config, failure ?? 'unknown failure');
      results[net] = { net, config, failure, reused: false };
    }
    s.onResult?.(results[net], ++done, configs.length);
  };
  const requests = pending.map((net) => ({ config: configs[net], dir: netDir(s.save, s.iteration, net), iteration: s.iteration, index: net, alphaNorm: s.alphaNorm ?? 1 }));
  const settled = new Set<number>();
  let outcomes: EvalOutcome[];
  try {
    outcomes = await s.evaluator.evaluate(requests, (k, outcome) => {
      settled.add(k);
      settle(k, outcome);
    });
  } catch (err) {
    // An evaluator that throws fails only the candidates it had not finished.
    outcomes = requests.map(() => ({ ok: false, reason: `evaluator error: ${(err as Error).message}` }));
  }
  outcomes.forEach((outcome, k) => {
    if (!settled.has(k)) settle(k, outcome);
  });
  return results;
}
