import { Option } from 'commander';
import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { SPACE_NAMES } from '../../src/space/definition.ts';
import { SURROGATE_KINDS } from '../../src/predictors/surrogate.ts';
import { CONSTRAINT_FLAGS, OBJECTIVE_KEYS } from '../../src/search/objectives.ts';
import { describeUnmet } from '../../src/search/infeasible.ts';
import { locateResume } from '../../src/search/resume.ts';
import { runSearch } from '../../src/search/search-loop.ts';
import type { SearchHooks, SearchResult } from '../../src/search/search-loop.ts';
import { BACKEND_NAMES, BOARD_AGGREGATIONS, EVALUATOR_NAMES, parseOptionsLayer, resolveSearchOptions, SUBSET_METHODS, TINY_ML_SOURCES } from '../../src/search/search-options.ts';
import { DATASET_NAMES } from '../../src/data/registry.ts';
import type { SearchOptions } from '../../src/search/search-options.ts';
import { createEvaluator, measuredEvaluator } from '../../src/search/evaluators/create-evaluator.ts';
import { fileLogger } from '../../src/util/log.ts';
import { join } from 'node:path';
import { finiteNumber, integerAtLeast, positiveNumber } from '../option-parsers.ts';
import { explicitOptions } from '../option-layer.ts';
import { readJsonFile } from '../read-json.ts';
import { resolveSpaceFlags } from '../space-options.ts';
import { formatTable } from '../format/table.ts';
import { PooledEvaluator } from '../workers/pooled-evaluator.ts';
import { openFleet } from '../hil/fleet.ts';
import { withMeasureTimeout } from '../hil/measure-timeout.ts';
import { stderrLogger } from '../hub/logger.ts';

/** Resolves options (defaults < saved run < --config file < typed flags) and runs the search. */
export async function searchFromCommand(cmd: Command, hooks?: SearchHooks): Promise<SearchResult> {
  const flags = cmd.opts<{ resume?: string; config?: string; token?: string }>();
  const resume = flags.resume === undefined ? undefined : locateResume(flags.resume);
  const fileLayer = flags.config === undefined ? {} : parseOptionsLayer(readJsonFile(flags.config), flags.config);
  const typed = parseOptionsLayer(explicitOptions(cmd, ['resume', 'config', 'json', 'token']), 'command line');
  const options: SearchOptions = resolveSearchOptions(resume?.saved ?? {}, fileLayer, typed, resume ? { save: resume.save } : {});
  const space = resolveSpaceFlags({
    space: options.search_space,
    width: options.width_mult,
    spaceFile: options.space_file,
    lr: options.lr,
    ur: options.ur,
    rstep: options.rstep,
  });
  const local = await createEvaluator(options, space);
  // Opened before the workers start, so that a refused board or hub leaves nothing running.
  const fleet = options.board.length > 0 ? await openFleet({ ...options, token: flags.token }, stderrLogger('warn')) : undefined;
  const inner = options.workers > 1 ? await PooledEvaluator.start(local, options, options.gpus) : local;
  const measure = fleet && withMeasureTimeout((model, selector) => fleet.measure(model, selector), options.measure_timeout_s);
  const evaluator = measure ? measuredEvaluator(inner, options, space, measure) : inner;
  if (hooks && evaluator.info) {
    const facts = Object.entries(evaluator.info).map(([k, v]) => `${k} ${Array.isArray(v) ? v.join('/') : String(v)}`);
    process.stderr.write(`evaluator ${evaluator.name}: ${facts.join(', ')}\n`);
  }
  try {
    return await runSearch(options, { space, evaluator, hooks, makeLogger: (save) => fileLogger(join(save, 'search.log')) }, resume);
  } finally {
    if (inner instanceof PooledEvaluator) inner.close();
    await fleet?.close();
  }
}

/** Progress for people: a bar per iteration on a terminal, one line per iteration otherwise. */
export function humanHooks(): SearchHooks {
  const tty = process.stderr.isTTY === true;
  let bar: SingleBar | undefined;
  return {
    onIterationStart(iteration, candidates) {
      if (!tty) return;
      bar = new SingleBar({ format: `iter ${iteration} [{bar}] {value}/{total} candidates`, stream: process.stderr, clearOnComplete: true });
      bar.start(candidates, 0);
    },
    onCandidate(e) {
      bar?.update(e.done);
    },
    onIteration(s) {
      bar?.stop();
      const best = Object.entries(s.best)
        .map(([k, v]) => `${k} ${Number(v.toPrecision(5))}`)
        .join(', ');
      const tau = s.surrogates
        .filter((r) => r.tau !== undefined)
        .map((r) => `tau(${r.key}) ${r.tau!.toFixed(2)}`)
        .join(', ');
      const hv = s.hv !== undefined ? `hv ${s.hv.toFixed(4)}, ` : '';
      process.stderr.write(`iter ${s.iteration}: ${s.evaluated} evaluated, ${s.failed} failed, archive ${s.archiveSize}; ${hv}best ${best}${tau ? `; ${tau}` : ''} (${s.seconds.toFixed(1)} s)\n`);
    },
  };
}

export function registerSearchCommand(program: Command): void {
  const cmd = program
    .command('search')
    .description('surrogate-assisted multi-objective search (NSGA-II on fitted predictors, as CNAS)')
    .option('--save <dir>', 'run directory (default .tmp)')
    .option('--resume <path>', 'continue a run: <save>/iter_N, <save>/iter_N.stats or <save>')
    .option('--config <file>', 'JSON file with run.json keys; typed flags override it')
    .addOption(new Option('--space <name>', 'search space (default mobilenetv3)').choices(SPACE_NAMES))
    .option('--width <mult>', 'width multiplier (default 1.0)', positiveNumber)
    .option('--space-file <path>', 'JSON space definition')
    .option('--lr <px>', 'lowest resolution (default 224)', integerAtLeast(32))
    .option('--ur <px>', 'highest resolution (default 224)', integerAtLeast(32))
    .option('--rstep <px>', 'resolution step (default 4)', integerAtLeast(1))
    .option('--classes <n>', 'number of classes (default 1000)', integerAtLeast(1))
    .addOption(new Option('--evaluator <name>', 'how candidates are evaluated (default synthetic)').choices(EVALUATOR_NAMES))
    .addOption(new Option('--first-obj <key>', 'first objective (default top1)').choices(OBJECTIVE_KEYS))
    .addOption(new Option('--sec-obj <key...>', 'further objective(s); none = single-objective DE').choices(OBJECTIVE_KEYS))
    .addOption(new Option('--first-predictor <kind>', 'surrogate of the first objective (default rbf)').choices(SURROGATE_KINDS))
    .addOption(new Option('--sec-predictor <kind>', 'surrogate of the other objectives and constraints when not exact (default rbf)').choices(SURROGATE_KINDS))
    .addOption(new Option('--as-pool <kinds...>', 'models adaptive switching chooses from (default rbf carts gp)').choices(['rbf', 'carts', 'gp', 'mlp']))
    .option('--mlp-epochs <n>', 'training epochs of the mlp surrogate (default 2000, as CNAS)', integerAtLeast(1))
    .option('--iterations <n>', 'search iterations after the DOE (default 30)', integerAtLeast(0))
    .option('--n-doe <n>', 'random architectures evaluated first (default 100)', integerAtLeast(1))
    .option('--n-iter <n>', 'candidates evaluated per iteration (default 8)', integerAtLeast(1))
    .option('--seed <n>', 'seed (default 0)', integerAtLeast(0))
    .option('--pop-size <n>', 'NSGA-II / DE population (default 40)', integerAtLeast(2))
    .option('--generations <n>', 'NSGA-II / DE generations (default 20)', integerAtLeast(1))
    .addOption(new Option('--crossover <kind>', 'NSGA-II crossover (default two-point)').choices(['two-point', 'uniform']))
    .addOption(new Option('--subset <method>', 'how k candidates are picked (default hv-contribution)').choices(SUBSET_METHODS))
    .option('--patience <n>', 'stop after this many iterations without improvement (default 10)', integerAtLeast(1))
    .option('--alpha <a>', 'weight of top1 in top1_robust (default 0.5)', finiteNumber)
    .option('--eval-delay-ms <ms>', 'synthetic evaluator: pretend each candidate takes this long', integerAtLeast(0))
    .addOption(new Option('--dataset <name>', 'train evaluator: dataset (default synthetic)').choices(DATASET_NAMES))
    .option('--data <dir>', 'train evaluator: directory of the dataset files')
    .option('--val-split <fraction>', 'train evaluator: share of the training set held out for validation (default 0.2; 0 = test split)', finiteNumber)
    .option('--synthetic-size <n>', 'train evaluator: training images of the synthetic dataset (default 2000)', integerAtLeast(1))
    .option('--n-epochs <n>', 'train evaluator: fine-tuning epochs per candidate (default 5)', integerAtLeast(0))
    .option('--trn-batch-size <n>', 'train evaluator: batch size (default 128)', integerAtLeast(2))
    .option('--learning-rate <lr>', 'train evaluator: initial learning rate, cosine to 0 (default 0.1)', positiveNumber)
    .option('--weight-decay <wd>', 'train evaluator: L2 weight decay (default 5e-5)', finiteNumber)
    .option('--supernet <dir>', 'train evaluator: inherit weights from this supernet (cnas supernet train)')
    .option('--recalib-batches <n>', 'train evaluator: batches to recalibrate batch norm of inherited subnets (default 10)', integerAtLeast(1))
    .option('--workers <n>', 'candidates evaluated at the same time, one process each (default 1)', integerAtLeast(1))
    .option('--gpus <ids...>', 'GPU ids for the workers, handed out in turn (CUDA_VISIBLE_DEVICES)')
    .addOption(new Option('--trainer-type <type>', 'train evaluator: single_exit, or multi_exits for early-exit spaces (default single_exit)').choices(['single_exit', 'multi_exits']))
    .addOption(new Option('--method <m>', 'early exits: joint (EDANAS) or bernulli (NACHOS); default from the space').choices(['joint', 'bernulli']))
    .option('--ee-epochs <n>', 'early exits: exit training epochs (default 5)', integerAtLeast(0))
    .option('--warmup-ee-epochs <n>', 'early exits, bernulli: epochs before the support loss (default 2)', integerAtLeast(0))
    .option('--ee-lr <lr>', 'early exits: constant learning rate (default 0.01)', positiveNumber)
    .option('--w-alpha <w>', 'bernulli: weight of the classification term (default 1)', finiteNumber)
    .option('--w-beta <w>', 'bernulli: weight of the energy term (default 1)', finiteNumber)
    .option('--w-gamma <w>', 'bernulli: weight of the support term (default 1)', finiteNumber)
    .option('--support-set', 'bernulli: add the support-set loss after the warm-up')
    .option('--tune-epsilon', 'bernulli: tune the exit thresholds (and repair them against --mmax and --top1min)')
    .option('--top1min <fraction>', 'early exits: accuracy the threshold repair must keep (fraction)', finiteNumber)
    .option('--eval-robust', 'train evaluator: also measure FlatNAS robustness to weight noise')
    .option('--sigma-min <s>', 'weight-noise sigma (default 0.05; CNAS grid, only the first is used)', finiteNumber)
    .option('--sigma-max <s>', 'weight-noise sigma grid end (default 0.05)', finiteNumber)
    .option('--sigma-step <s>', 'weight-noise sigma grid step (default 0)', finiteNumber)
    .option('--robust-draws <n>', 'weight-noise draws (default 20)', integerAtLeast(1))
    .option('--board <selector...>', 'measure every candidate on these boards (profile ids or board names); adds latency_ms, ram_kb, flash_kb, energy_mj')
    .addOption(new Option('--board-agg <how>', 'several boards: max (worst case, default) or each (also <key>@<board>)').choices(BOARD_AGGREGATIONS))
    .option('--simulate', 'measure on simulated boards of the --board profiles (in-process hub and agent)')
    .option('--hub <url>', 'hub to submit the measurements to')
    .option('--measure-timeout-s <s>', 'fail a candidate whose measurement is not back in this time (default 600)', positiveNumber)
    .option('--token <secret>', 'shared token of the fleet (default: $CNAS_HUB_TOKEN; not saved in run.json)')
    .addOption(new Option('--backend <name>', 'train evaluator: TF.js backend (default auto)').choices(BACKEND_NAMES))
    .option('--json', 'print the result as one JSON object');
  for (const key of ['pmax', 'mmax', 'amax', 'wp', 'wm', 'wa', 'penalty']) cmd.option(`--${key} <value>`, `tiny_ml ${key}`, finiteNumber);
  cmd.addOption(
    new Option('--tiny-ml <source>', "tiny_ml's params and activations terms: cost (the cost model, as CNAS; default) or measured (each board's flash and arena in MB; needs --board)").choices(TINY_ML_SOURCES),
  );
  for (const c of CONSTRAINT_FLAGS) cmd.option(c.flag, `constraint: ${c.key} at most this`, positiveNumber);
  cmd.action(async () => {
    const json = cmd.opts<{ json?: boolean }>().json === true;
    const result = await searchFromCommand(cmd, json ? undefined : humanHooks());
    if (json) {
      process.stdout.write(JSON.stringify(result) + '\n');
      return;
    }
    const rows = Object.entries(result.best).map(([k, v]) => [k, String(Number(v.toPrecision(6)))]);
    const unmet = describeUnmet(result.infeasible).map((line) => `${line}\n`).join('');
    process.stdout.write(
      `${result.save}: ${result.lastIteration + 1} iterations${result.stoppedEarly ? ' (stopped early)' : ''}, ${result.archiveSize} architectures` +
        `${result.hv !== undefined ? `, hypervolume ${result.hv.toFixed(4)}` : ''}\n${unmet}${formatTable([unmet ? 'least violating' : 'best', 'value'], rows)}\n`,
    );
  });
}
