import { Option } from 'commander';
import type { Command } from 'commander';
import { selectBackend } from '../../src/nn/backend/backend.ts';
import { BENCH_NETS } from '../../src/nn/bench-nets.ts';
import type { BenchNet } from '../../src/nn/bench-nets.ts';
import { benchTrain } from '../../src/nn/bench-train.ts';
import { BACKEND_NAMES } from '../../src/search/search-options.ts';
import { formatTable } from '../format/table.ts';
import { integerAtLeast } from '../option-parsers.ts';
import { UsageError } from '../usage-error.ts';

interface BenchTrainFlags {
  backend: (typeof BACKEND_NAMES)[number];
  batch: number;
  net: BenchNet;
  steps: number;
  json?: boolean;
}

export function registerBenchTrainCommand(program: Command): void {
  program
    .command('bench-train')
    .description('training and inference throughput on this machine (what a search will cost)')
    .addOption(new Option('--backend <name>', 'TF.js backend').choices(BACKEND_NAMES).default('auto'))
    .option('--batch <n>', 'training batch size', integerAtLeast(2), 64)
    .addOption(new Option('--net <name>', 'reference network, or the largest/smallest subnet at 32 px').choices(BENCH_NETS).default('reference'))
    .option('--steps <n>', 'timed training steps', integerAtLeast(1), 10)
    .option('--json', 'one JSON object for machines')
    .action(async (flags: BenchTrainFlags) => {
      const backend = await selectBackend(flags.backend).catch((err: Error) => {
        throw new UsageError(`--backend ${flags.backend}: ${err.message}`);
      });
      if (!flags.json) process.stderr.write(`measuring on the ${backend.name} backend${backend.fellBackFrom ? ` (${backend.fellBackFrom.join(', ')} unavailable)` : ''} ...\n`);
      const r = benchTrain({ net: flags.net, batch: flags.batch, steps: flags.steps });
      if (flags.json) {
        process.stdout.write(JSON.stringify(r) + '\n');
        return;
      }
      const rows = [
        [`train, batch ${r.batch}`, r.train_img_s.toFixed(1)],
        ['inference, batch 1', r.infer_b1_img_s.toFixed(1)],
        ['inference, batch 64', r.infer_b64_img_s.toFixed(1)],
      ];
      process.stdout.write(`${r.net} network on ${r.backend}\n${formatTable(['what', 'images/s'], rows)}\n`);
    });
}
