import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { modelStats } from '../../src/export/model-stats.ts';
import type { ModelStats } from '../../src/export/model-stats.ts';
import { readTflite, TfliteReadError } from '../../src/export/reader.ts';
import type { TfliteFile } from '../../src/export/reader.ts';
import { formatBytes, formatTable, groupThousands } from '../format/table.ts';
import { UsageError } from '../usage-error.ts';

export interface Inspection {
  file: string;
  version: number;
  description: string;
  stats: ModelStats;
}

/** The library call behind `cnas inspect`: reads and analyses a .tflite, naming the file in every error. */
export function inspectFile(path: string): Inspection {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? (err as Error).message})`);
  }
  let file: TfliteFile;
  try {
    file = readTflite(bytes);
    return { file: path, version: file.version, description: file.description, stats: modelStats(file) };
  } catch (err) {
    if (err instanceof TfliteReadError) throw new UsageError(`${path}: not a valid TFLite model: ${err.message}`);
    throw err;
  }
}

const shape = (s: readonly number[]) => `[${s.join(',')}]`;

function describeTensor(t: ModelStats['inputs'][number]): string {
  const q = t.quant && t.quant.scale.length === 1 ? ` scale ${t.quant.scale[0].toPrecision(4)} zp ${t.quant.zeroPoint[0]}` : '';
  return `${t.name} ${shape(t.shape)} ${t.type}${q}`;
}

function humanReport(r: Inspection): string {
  const { operators, totals, inputs, outputs } = r.stats;
  const rows = operators.map((o) => [String(o.index), o.op, String(o.version), shape(o.inputShape), shape(o.outputShape), o.type, groupThousands(o.macs), groupThousands(o.params)]);
  return [
    `${r.file}: schema ${r.version}${r.description ? `, "${r.description}"` : ''}${totals.subgraphs > 1 ? `, ${totals.subgraphs} subgraphs (the first is shown)` : ''}`,
    ...inputs.map((t) => `input   ${describeTensor(t)}`),
    ...outputs.map((t) => `output  ${describeTensor(t)}`),
    '',
    formatTable(['#', 'operator', 'v', 'input', 'output', 'type', 'MACs', 'params'], rows),
    '',
    formatTable(
      ['total', 'value'],
      [
        ['operators', String(totals.operators)],
        ['MACs', groupThousands(totals.macs)],
        ['conv/FC MACs', groupThousands(totals.convFcMacs)],
        ['parameters', groupThousands(totals.params)],
        ['parameter bytes', `${groupThousands(totals.paramBytes)} B`],
        ['constant bytes', `${groupThousands(totals.constantBytes)} B`],
        ['arena (TFLM greedy)', formatBytes(totals.arenaBytes)],
        ['file size', formatBytes(totals.fileBytes)],
      ],
    ),
  ].join('\n');
}

export function registerInspectCommand(program: Command): void {
  program
    .command('inspect')
    .description('operators, MACs, parameters, arena and size of a .tflite model (ours or any converter\'s)')
    .argument('<model.tflite>', 'TFLite flatbuffer')
    .option('--json', 'one JSON object for machines')
    .action((path: string, flags: { json?: boolean }) => {
      const report = inspectFile(path);
      process.stdout.write((flags.json ? JSON.stringify(report) : humanReport(report)) + '\n');
    });
}
