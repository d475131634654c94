import { Option } from 'commander';
import type { Command } from 'commander';
import { loadSpace } from '../src/space/load-space.ts';
import { ConfigError } from '../src/space/errors.ts';
import { SPACE_NAMES } from '../src/space/definition.ts';
import type { SearchSpace } from '../src/space/definition.ts';
import { integerAtLeast, positiveNumber } from './option-parsers.ts';
import { readJsonFile } from './read-json.ts';
import { UsageError } from './usage-error.ts';

export interface SpaceFlags {
  space: string;
  width?: number;
  spaceFile?: string;
  lr?: number;
  ur?: number;
  rstep?: number;
}

/** The flags that pick and shape a search space, shared by every command that needs one. */
export function addSpaceOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--space <name>', 'search space').choices(SPACE_NAMES).default('mobilenetv3'))
    .option('--width <mult>', 'width multiplier of the supernet (1.0, 1.2, or MCU-sized 0.35, 0.5 ...)', positiveNumber)
    .option('--space-file <path>', 'JSON space definition (base widths, choices, resolution range ...)')
    .option('--lr <px>', 'lowest resolution of the space (default 224)', integerAtLeast(32))
    .option('--ur <px>', 'highest resolution of the space (default 224)', integerAtLeast(32))
    .option('--rstep <px>', 'resolution step (default 4)', integerAtLeast(1));
}

export function resolveSpaceFlags(flags: SpaceFlags): SearchSpace {
  const file = flags.spaceFile === undefined ? undefined : readJsonFile(flags.spaceFile);
  try {
    return loadSpace(flags.space, { widthMult: flags.width, lr: flags.lr, ur: flags.ur, rstep: flags.rstep }, file);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`${flags.spaceFile ?? 'space'}: ${err.message}`);
    throw err;
  }
}
