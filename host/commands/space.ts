import type { Command } from 'commander';
import { sampleConfigs } from '../../src/space/sample.ts';
import { integerAtLeast } from '../option-parsers.ts';
import { addSpaceOptions, resolveSpaceFlags } from '../space-options.ts';
import type { SpaceFlags } from '../space-options.ts';

interface SampleFlags extends SpaceFlags {
  n: number;
  seed: number;
}

export function registerSpaceCommands(program: Command): void {
  const space = program.command('space').description('work with search spaces');
  addSpaceOptions(
    space
      .command('sample')
      .description('print random configs of a space, one JSON per line (same seed, same configs)')
      .option('-n, --n <count>', 'number of configs', integerAtLeast(1), 1)
      .option('--seed <int>', 'seed of the sampler', integerAtLeast(0), 0),
  ).action((flags: SampleFlags) => {
    const configs = sampleConfigs(resolveSpaceFlags(flags), flags.n, flags.seed);
    process.stdout.write(configs.map((c) => JSON.stringify(c)).join('\n') + '\n');
  });
}
