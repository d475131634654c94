import { Option } from 'commander';
import type { Command } from 'commander';
import { validateConfig } from '../../src/space/config.ts';
import { costReport } from '../../src/space/cost-report.ts';
import { ConfigError } from '../../src/space/errors.ts';
import { DEFAULT_TINY_ML } from '../../src/graph/tiny-ml.ts';
import type { TinyMlSettings } from '../../src/graph/tiny-ml.ts';
import type { CostReport } from '../../src/space/cost-report.ts';
import { formatBytes, formatTable, groupThousands } from '../format/table.ts';
import { finiteNumber, integerAtLeast } from '../option-parsers.ts';
import { readJsonFile } from '../read-json.ts';
import { addSpaceOptions, resolveSpaceFlags } from '../space-options.ts';
import type { SpaceFlags } from '../space-options.ts';
import { UsageError } from '../usage-error.ts';

interface CostFlags extends SpaceFlags, TinyMlSettings {
  resolution?: number;
  classes: number;
  json?: boolean;
}

/** The library call behind `cnas cost`: reads and validates the config file, then reports its costs. */
export function costOfFile(path: string, flags: CostFlags): CostReport {
  const space = resolveSpaceFlags(flags);
  const raw = readJsonFile(path);
  try {
    const config = validateConfig(space, raw, 'any');
    if (config.r === undefined && flags.resolution === undefined) {
      throw new UsageError(`${path}: the config has no "r"; give --resolution <px>`);
    }
    return costReport(space, config, { resolution: flags.resolution, classes: flags.classes, tinyMl: flags });
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`${path}: ${err.message}`);
    throw err;
  }
}

function humanReport(path: string, space: string, report: CostReport): string {
  const rows = [
    ['params (M)', report.params.toFixed(2), groupThousands(report.exact.params)],
    ['MACs (M)', report.macs.toFixed(2), groupThousands(report.exact.macs)],
    ['activations (M)', report.activations.toFixed(2), groupThousands(report.exact.activations)],
    ['tiny_ml', String(Number(report.tiny_ml.toFixed(4))), ''],
    ['int8 weights', formatBytes(report.weights_bytes_int8), `${groupThousands(report.weights_bytes_int8)} B`],
    ['int8 peak activations', formatBytes(report.peak_activation_bytes_int8), `${groupThousands(report.peak_activation_bytes_int8)} B`],
  ];
  const parts = [`${path}: ${space}, ${report.resolution} px, ${report.classes} classes`, formatTable(['cost', 'value', 'exact'], rows)];
  if (report.exits) {
    const exitRows = report.exits.map((e, i) => [
      String(i),
      e.final ? `${e.after_stage} (final)` : String(e.after_stage),
      e.pool > 1 ? `${e.pool}x${e.pool}` : '-',
      groupThousands(e.exact.backbone_macs),
      groupThousands(e.exact.classifier_macs),
      groupThousands(e.exact.backbone_params),
      groupThousands(e.exact.classifier_params),
    ]);
    parts.push('', formatTable(['exit', 'after stage', 'pool', 'backbone MACs', 'head MACs', 'backbone params', 'head params'], exitRows));
  }
  return parts.join('\n');
}

export function registerCostCommand(program: Command): void {
  const cmd = program
    .command('cost')
    .description('params, MACs, activations, tiny_ml and int8 memory of a subnet config')
    .argument('<subnet.json>', "config in CNAS's net.subnet format")
    .option('--resolution <px>', "input resolution when the config has no \"r\"", integerAtLeast(32))
    .option('--classes <n>', 'number of classes', integerAtLeast(1), 1000)
    .option('--json', 'one JSON object for machines');
  for (const [key, help] of [
    ['pmax', 'tiny_ml params limit (M)'],
    ['mmax', 'tiny_ml MACs limit (M)'],
    ['amax', 'tiny_ml activations limit (M)'],
    ['wp', 'tiny_ml params weight'],
    ['wm', 'tiny_ml MACs weight'],
    ['wa', 'tiny_ml activations weight'],
    ['penalty', 'tiny_ml penalty factor'],
  ] as const) {
    cmd.addOption(new Option(`--${key} <value>`, help).argParser(finiteNumber).default(DEFAULT_TINY_ML[key]));
  }
  addSpaceOptions(cmd).action((path: string, flags: CostFlags) => {
    const report = costOfFile(path, flags);
    process.stdout.write((flags.json ? JSON.stringify(report) : humanReport(path, flags.space, report)) + '\n');
  });
}
