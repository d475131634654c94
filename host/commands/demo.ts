import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { selectBackend } from '../../src/nn/backend/backend.ts';
import { trainSupernet } from '../../src/nn/supernet/train-run.ts';
import { trainingData } from '../../src/nn/training-data.ts';
import { runReport } from '../../src/report/run-report.ts';
import { createEvaluator, measuredEvaluator } from '../../src/search/evaluators/create-evaluator.ts';
import { runSearch } from '../../src/search/search-loop.ts';
import type { SearchResult } from '../../src/search/search-loop.ts';
import { resolveSearchOptions } from '../../src/search/search-options.ts';
import { loadSpace } from '../../src/space/load-space.ts';
import { writeFileAtomic, writeJsonAtomic } from '../../src/util/atomic-write.ts';
import { fileLogger } from '../../src/util/log.ts';
import { openFleet } from '../hil/fleet.ts';
import { stderrLogger } from '../hub/logger.ts';
import { humanHooks } from './search.ts';
import { formatTable } from '../format/table.ts';
import { nonDominatedSort } from '../../src/search/dominance.ts';
import { readIterationStats } from '../../src/search/iteration-stats.ts';
import { iterationStatsPath } from '../../src/search/run-files.ts';

/** An MCU-sized space small enough to search on a laptop: width 0.35, 64 px, two depth and kernel choices. */
const DEMO_SPACE = { space: 'mobilenetv3', width_mult: 0.35, depths: [2, 3], kernels: [3, 5], expands: [3, 4, 6], lr: 64, ur: 64 } as const;
const DEMO_BOARDS = ['nucleo-l4r5zi', 'rpi4'];

/**
 * `cnas demo`: the whole product on a laptop with no network and no boards. Trains a small supernet on the
 * synthetic dataset, runs a short hardware-in-the-loop search measured on two simulated boards (an MCU and a
 * Linux board) through a real hub and agent over loopback, prints the Pareto front and writes report.html.
 */
export async function runDemo(out: string, say: (line: string) => void): Promise<SearchResult> {
  mkdirSync(out, { recursive: true });
  const spaceFile = join(out, 'space.json');
  writeJsonAtomic(spaceFile, DEMO_SPACE, 2);
  const space = loadSpace('mobilenetv3', {}, DEMO_SPACE);
  const backend = await selectBackend('auto');
  say(`1/3 training a supernet on 1,200 synthetic images (${backend.name} backend)`);
  const data = trainingData({ dataset: 'synthetic', valSplit: 0.2, syntheticSize: 1200, classes: 10, seed: 0 });
  const supernet = join(out, 'supernet');
  trainSupernet(space, 10, data, { save: supernet, resume: false, epochs: 2, batchSize: 48, learningRate: 0.1, weightDecay: 3e-5, randomSubnets: 1, seed: 0 }, {
    onEpoch: (e, loss, s) => say(`   supernet epoch ${e + 1}/2: loss ${loss.toFixed(3)} (${s.toFixed(0)} s)`),
  });
  say(`2/3 searching top-1 error against latency on ${DEMO_BOARDS.join(' and ')} (simulated), RAM <= 256 kB`);
  const options = resolveSearchOptions({
    save: join(out, 'search'),
    space_file: spaceFile,
    width_mult: 0.35,
    lr: 64,
    ur: 64,
    n_classes: 10,
    evaluator: 'train',
    supernet,
    synthetic_size: 400,
    n_epochs: 1,
    trn_batch_size: 40,
    learning_rate: 0.02,
    recalib_batches: 4,
    sec_obj: ['latency_ms'],
    max_ram_kb: 256,
    board: DEMO_BOARDS,
    simulate: true,
    n_doe: 36,
    iterations: 3,
    n_iter: 4,
    pop_size: 30,
    generations: 10,
  });
  const fleet = await openFleet({ board: options.board, simulate: true }, stderrLogger('warn'));
  try {
    const evaluator = measuredEvaluator(await createEvaluator(options, space), options, space, (model, selector) => fleet.measure(model, selector));
    const result = await runSearch(options, { space, evaluator, hooks: humanHooks(), makeLogger: (save) => fileLogger(join(save, 'search.log')) });
    const report = join(out, 'report.html');
    writeFileAtomic(report, runReport(options.save));
    say(`3/3 wrote ${report}`);
    return result;
  } finally {
    await fleet.close();
  }
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('the whole product offline: supernet, a search measured on two simulated boards, the Pareto front and report.html')
    .option('--out <dir>', 'where everything goes', 'cnas-demo')
    .action(async (flags: { out: string }) => {
      const started = Date.now();
      const result = await runDemo(flags.out, (line) => process.stderr.write(line + '\n'));
      const last = readIterationStats(iterationStatsPath(join(flags.out, 'search'), result.lastIteration));
      const feasible = last.archive.filter((_, i) => last.archive_nets[i][2] === 0);
      const front = (nonDominatedSort(feasible.map((r) => r.slice(1) as number[]))[0] ?? []).map((i) => feasible[i]).sort((a, b) => (a[1] as number) - (b[1] as number));
      const rows = front.map((r) => [JSON.stringify(r[0]), ...(r.slice(1) as number[]).map((v) => String(Number(v.toPrecision(5))))]);
      process.stdout.write(
        `${result.archiveSize} architectures in ${((Date.now() - started) / 1000).toFixed(0)} s; hypervolume ${result.hv?.toFixed(4)}; Pareto front (RAM <= 256 kB on both boards):\n` +
          `${formatTable(['config', ...last.objectives], rows)}\n` +
          `next: npx cnas post-search --expr ${join(flags.out, 'search', `iter_${result.lastIteration}.stats`)} --save ${join(flags.out, 'best')} -n 3\n`,
      );
    });
}
