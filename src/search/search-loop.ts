import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { writeJsonAtomic } from '../util/atomic-write.ts';
import { canonicalGenes, encodeConfig, geneCount, genesKey } from '../space/encoding.ts';
import { sampleConfig } from '../space/sample.ts';
import type { SubnetConfig } from '../space/config.ts';
import type { SearchSpace } from '../space/definition.ts';
import { Prng } from '../util/prng.ts';
import { appendToArchive, objectiveMatrix, violations } from './archive.ts';
import { alphaNorm, storedKeys, valueOfWith } from './objective-values.ts';
import type { ObjectiveContext, ValueOf } from './objective-values.ts';
import type { ArchiveEntry } from './archive.ts';
import { evaluateCandidates } from './evaluate-candidates.ts';
import type { CandidateResult } from './evaluate-candidates.ts';
import type { Evaluator } from './evaluator.ts';
import { hvReferencePoint, normalisedHv } from './hypervolume.ts';
import { unmetConstraints } from './infeasible.ts';
import type { UnmetConstraint } from './infeasible.ts';
import { archiveRows, readIterationStats, surrogateReports } from './iteration-stats.ts';
import type { IterationStats, SurrogateReport } from './iteration-stats.ts';
import { proposeCandidates } from './propose-candidates.ts';
import type { Proposal } from './propose-candidates.ts';
import { checkResumeCompatible, readIterationNets } from './resume.ts';
import type { ResumePoint } from './resume.ts';
import { iterationStatsPath, RUN_FILE, RunFileError } from './run-files.ts';
import { constraintsOf, objectivesOf, OptionsError } from './search-options.ts';
import type { SearchOptions } from './search-options.ts';

export interface CandidateEvent {
  iteration: number;
  result: CandidateResult;
  done: number;
  total: number;
}

export interface IterationSummary {
  iteration: number;
  evaluated: number;
  failed: number;
  archiveSize: number;
  hv?: number;
  best: Record<string, number>;
  surrogates: SurrogateReport[];
  seconds: number;
}

export interface SearchHooks {
  onIterationStart?(iteration: number, candidates: number): void;
  onCandidate?(event: CandidateEvent): void;
  onIteration?(summary: IterationSummary): void;
}

export interface SearchDeps {
  space: SearchSpace;
  evaluator: Evaluator;
  /** Called once the settings are checked and the run directory exists (so bad input writes nothing). */
  makeLogger?: (save: string) => Logger;
  hooks?: SearchHooks;
}

export interface SearchResult {
  save: string;
  lastIteration: number;
  archiveSize: number;
  hv?: number;
  /** Per key, the lowest value among feasible candidates; without any, among the least-violating ones. */
  best: Record<string, number>;
  stoppedEarly: boolean;
  /** When no candidate met the constraints: which ones were not met and the best value reached; else empty. */
  infeasible: UnmetConstraint[];
}

/** CNAS's DOE: uniform random configs, here without duplicates, from the run's seed. */
function designOfExperiments(space: SearchSpace, n: number, seed: number): SubnetConfig[] {
  const rng = new Prng(seed);
  const seen = new Set<string>();
  const out: SubnetConfig[] = [];
  for (let tries = 0; out.length < n && tries < 100 * n; tries++) {
    const config = sampleConfig(space, rng);
    const key = genesKey(canonicalGenes(space, encodeConfig(space, config)));
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(config);
  }
  return out;
}

/**
 * The smallest networks of a space: minimum depth, kernel, expansion and resolution, no exit (or, where one is
 * required, a single exit at each boundary in turn). Costs grow with every one of these choices, so if none of
 * them meets a cost constraint, nothing in the space does.
 */
function smallestConfigs(space: SearchSpace): SubnetConfig[] {
  const n = space.depths[0] * space.nStages;
  const base: SubnetConfig = { ks: new Array<number>(n).fill(space.kernels[0]), e: new Array<number>(n).fill(space.expands[0]), d: new Array<number>(space.nStages).fill(space.depths[0]) };
  if (!space.fixedResolution) base.r = space.lr;
  if (space.exitKind === 'threshold') return [{ ...base, t: new Array<number>(space.nBoundaries).fill(1) }];
  if (space.exitKind === 'flag') return Array.from({ length: space.nBoundaries }, (_, j) => ({ ...base, b: Array.from({ length: space.nBoundaries }, (_, k) => (k === j ? 1 : 0)) }));
  return [base];
}

/** Refuses settings that cannot work, before anything is written. */
function checkSettings(options: SearchOptions, space: SearchSpace, evaluator: Evaluator): void {
  const keys = [...objectivesOf(options), ...constraintsOf(options).map((c) => c.key)];
  for (const key of keys.flatMap(storedKeys)) {
    if (!evaluator.keys.includes(key)) {
      throw new OptionsError(`the ${evaluator.name} evaluator does not provide "${key}"; it provides: ${evaluator.keys.join(', ')}`);
    }
  }
  // A measured tiny_ml depends on a board, so an evaluator that still computes it from the config alone has none.
  if (options.tiny_ml_source === 'measured' && evaluator.exactKeys.includes('tiny_ml')) {
    throw new OptionsError(`--tiny-ml measured needs boards to measure on, but the ${evaluator.name} evaluator computes tiny_ml from the cost model: give --board <profile> with --simulate or --hub <url>`);
  }
  for (const c of constraintsOf(options).filter((c) => evaluator.exactKeys.includes(c.key))) {
    const least = Math.min(...smallestConfigs(space).map((config) => evaluator.exact(config, [c.key])[c.key]));
    if (least > c.max) {
      throw new OptionsError(
        `no architecture of ${space.name} (width ${space.widthMult}, ${space.lr} px, ${options.n_classes} classes) meets ${c.key} <= ${c.max}: the smallest has ${Number(least.toPrecision(4))}; try a narrower --width, a lower --lr or fewer --classes`,
      );
    }
  }
  const needsSurrogate = keys.some((k) => !evaluator.exactKeys.includes(k));
  const genes = geneCount(space);
  if (needsSurrogate && options.iterations > 0 && options.n_doe <= genes) {
    throw new OptionsError(`--n-doe ${options.n_doe} is too small: the surrogates need more samples than the ${genes} genes of ${space.name}; use --n-doe ${genes + 1} or more`);
  }
}

/** Per key, the lowest value among the entries whose violation is at most `maxCv` (0: the feasible ones). */
function bestOf(archive: readonly ArchiveEntry[], keys: readonly string[], cv: readonly number[], valueOf: ValueOf, maxCv = 0): Record<string, number> {
  const best: Record<string, number> = {};
  for (const key of keys) {
    const values = archive.filter((_, i) => cv[i] <= maxCv).map((e) => valueOf(e, key));
    if (values.length > 0) best[key] = Math.min(...values);
  }
  return best;
}

/**
 * The surrogate-assisted search of CNAS (from MSuNAS): evaluate a random DOE, then per iteration fit models,
 * optimise them, evaluate k candidates, grow the archive, until the iteration budget or the patience runs out.
 * Everything lives in the run directory and every write is atomic, so the run resumes after any crash.
 */
export async function runSearch(options: SearchOptions, deps: SearchDeps, resume?: ResumePoint): Promise<SearchResult> {
  const { space, evaluator, hooks } = deps;
  const save = resume?.save ?? options.save;
  const objectives = objectivesOf(options);
  const constraints = constraintsOf(options);
  const keys = [...objectives, ...constraints.map((c) => c.key)];
  const requiredKeys = [...new Set(keys.flatMap(storedKeys))];
  const context: ObjectiveContext = { alpha: options.alpha, alphaNorm: 1 };
  const valueOf = valueOfWith(context);
  const robust = objectives.includes('top1_robust');
  checkSettings(options, space, evaluator);
  if (resume) {
    checkResumeCompatible(resume.saved, options, save);
  } else if (existsSync(join(save, RUN_FILE))) {
    throw new RunFileError(`${save} already holds a run; resume it with --resume ${save} or choose another --save`);
  }
  mkdirSync(save, { recursive: true });
  writeJsonAtomic(join(save, RUN_FILE), { ...options, save }, 2);
  const logger = deps.makeLogger?.(save);
  if (logger) {
    evaluator.useLogger?.(logger);
    logger.info({ evaluator: evaluator.name, ...evaluator.info }, 'evaluator');
  }

  const archive: ArchiveEntry[] = [];
  let refPt: number[] | undefined;
  let stall = 0;
  let hv: number | undefined;
  const start = resume ? resume.after + 1 : 0;
  if (resume && resume.after >= 0) {
    for (let it = 0; it <= resume.after; it++) {
      const nets = readIterationNets(space, save, it).filter((n) => n.stats !== undefined && requiredKeys.every((k) => typeof n.stats![k] === 'number'));
      appendToArchive(archive, nets.map((n) => {
        const genes = canonicalGenes(space, encodeConfig(space, n.config));
        return { config: n.config, genes, key: genesKey(genes), stats: n.stats!, iteration: it, net: n.net };
      }));
    }
    refPt = readIterationStats(iterationStatsPath(save, 0)).ref_pt;
    const last = readIterationStats(iterationStatsPath(save, resume.after));
    stall = last.stall;
    hv = last.hv;
    logger?.info({ save, after: resume.after, archive: archive.length }, 'resuming');
  }

  let lastIteration = start - 1;
  let stoppedEarly = false;
  for (let it = start; it <= options.iterations; it++) {
    const began = Date.now();
    let configs: SubnetConfig[];
    let proposal: Proposal | undefined;
    // FlatNAS: the archive is rescored with alpha_norm of everything evaluated so far (1 for the DOE).
    if (robust && it > 0) context.alphaNorm = alphaNorm(archive);
    const interrupted = it > 0 ? readIterationNets(space, save, it) : [];
    if (it === 0) {
      configs = designOfExperiments(space, options.n_doe, options.seed);
    } else if (interrupted.length > 0) {
      configs = interrupted.map((n) => n.config);
      logger?.info({ iteration: it, candidates: configs.length }, 'finishing an interrupted iteration');
    } else {
      proposal = await proposeCandidates(archive, {
        space,
        evaluator,
        objectives,
        constraints,
        predictorFor: (key) => (key === options.first_obj ? options.first_predictor : options.sec_predictor),
        surrogateOptions: { pool: options.as_pool, epochs: options.mlp_epochs },
        k: options.n_iter,
        popSize: options.pop_size,
        generations: options.generations,
        crossover: options.crossover,
        subset: options.subset,
        ...(refPt && { refPt }),
        seed: options.seed + it,
        valueOf,
      });
      configs = proposal.configs;
    }
    hooks?.onIterationStart?.(it, configs.length);
    const results = await evaluateCandidates(configs, {
      save,
      iteration: it,
      space,
      evaluator,
      requiredKeys,
      alphaNorm: context.alphaNorm,
      onResult: (result, done, total) => {
        logger?.info({ iteration: it, net: result.net, done, total, reused: result.reused, failure: result.failure, ...(result.entry && Object.fromEntries(requiredKeys.map((k) => [k, result.entry!.stats[k]]))) }, 'candidate');
        hooks?.onCandidate?.({ iteration: it, result, done, total });
      },
    });
    const added = results.flatMap((r) => (r.entry ? [r.entry] : []));
    appendToArchive(archive, added);
    if (archive.length === 0) throw new RunFileError(`every candidate of iteration ${it} failed; see ${join(save, 'failed')}`);

    const F = objectiveMatrix(archive, objectives, valueOf);
    const CV = violations(archive, constraints);
    const feasibleF = F.filter((_, i) => CV[i] === 0);
    const previousHv = hv;
    const previousBest = bestOf(archive.filter((e) => e.iteration < it), [options.first_obj], CV.filter((_, i) => archive[i].iteration < it), valueOf);
    if (objectives.length > 1) {
      if (refPt === undefined) refPt = hvReferencePoint(feasibleF.length > 0 ? feasibleF : F);
      hv = normalisedHv(feasibleF, refPt);
    }
    const best = bestOf(archive, [...new Set([...keys, ...requiredKeys])], CV, valueOf);
    if (it > 0) {
      const improved = objectives.length > 1 ? (hv ?? 0) > (previousHv ?? 0) : (best[options.first_obj] ?? Infinity) < (previousBest[options.first_obj] ?? Infinity);
      stall = improved ? 0 : stall + 1;
    }
    const reports = proposal ? surrogateReports(proposal.surrogates, proposal.predicted, results) : [];
    const stats: IterationStats = {
      iteration: it,
      objectives,
      constraints,
      archive: archiveRows(archive, F),
      archive_nets: archive.map((e, i) => [e.iteration, e.net, CV[i]]),
      candidates: archiveRows(added, objectiveMatrix(added, objectives, valueOf)),
      failed: results.flatMap((r) => (r.failure ? [{ net: r.net, reason: r.failure }] : [])),
      surrogates: reports,
      ...(reports[0] && { first_surrogate: reports[0] }),
      ...(reports[1] && { sec_surrogate: reports[1] }),
      ...(hv !== undefined && { hv }),
      ...(refPt && { ref_pt: refPt }),
      best,
      stall,
      ...(robust && { alpha_norm: context.alphaNorm }),
    };
    writeJsonAtomic(iterationStatsPath(save, it), stats);
    lastIteration = it;
    const summary: IterationSummary = {
      iteration: it,
      evaluated: added.length,
      failed: stats.failed.length,
      archiveSize: archive.length,
      ...(hv !== undefined && { hv }),
      best,
      surrogates: reports,
      seconds: (Date.now() - began) / 1000,
    };
    logger?.info(summary, 'iteration');
    hooks?.onIteration?.(summary);
    if (stall >= options.patience) {
      stoppedEarly = true;
      logger?.info({ iteration: it, patience: options.patience }, 'stopping early: no improvement');
      break;
    }
  }
  const finalCv = violations(archive, constraints);
  const infeasible = unmetConstraints(archive, constraints, finalCv);
  // Nothing feasible: the least-violating candidates are what constraint-domination ranks first, so they stand in.
  const maxCv = infeasible.length > 0 ? Math.min(...finalCv) : 0;
  if (infeasible.length > 0) logger?.warn({ infeasible }, 'no candidate met the constraints');
  const best = bestOf(archive, [...new Set([...keys, ...requiredKeys])], finalCv, valueOf, maxCv);
  return { save, lastIteration, archiveSize: archive.length, ...(hv !== undefined && { hv }), best, stoppedEarly, infeasible };
}
