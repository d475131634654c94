import { existsSync } from 'node:fs';
import { Option } from 'commander';
import type { Command } from 'commander';
import type { NetGraph } from '../../src/graph/types.ts';
import { initWasmBackend } from '../../src/nn/backend/wasm-setup.ts';
import { loadCheckpoint } from '../../src/nn/model/checkpoint.ts';
import { initParams } from '../../src/nn/model/params.ts';
import type { NetParams } from '../../src/nn/model/params.ts';
import { validateConfig } from '../../src/space/config.ts';
import { ConfigError } from '../../src/space/errors.ts';
import { realise } from '../../src/space/realise.ts';
import { calibrationRanges, exportTflite } from '../../src/export/export-model.ts';
import type { ExportOptions } from '../../src/export/export-model.ts';
import { exportSegments } from '../../src/export/export-segments.ts';
import type { SegmentExport } from '../../src/export/export-segments.ts';
import { modelStats } from '../../src/export/model-stats.ts';
import { readTflite } from '../../src/export/reader.ts';
import { checkFloatExport, compareOutputs, compareTop1, runSegments, runTflite, tfjsOutputs, top1Agreement } from '../../src/export/verify.ts';
import { weightsFromParams } from '../../src/export/weights.ts';
import { OutputExistsError, writeModelFile, writeSegmentDir } from '../../src/export/write-output.ts';
import { Prng } from '../../src/util/prng.ts';
import { formatBytes, groupThousands } from '../format/table.ts';
import { integerAtLeast } from '../option-parsers.ts';
import { readJsonFile } from '../read-json.ts';
import { addSpaceOptions, resolveSpaceFlags } from '../space-options.ts';
import type { SpaceFlags } from '../space-options.ts';
import { UsageError } from '../usage-error.ts';

export interface ExportFlags extends SpaceFlags {
  resolution?: number;
  classes: number;
  weights?: string;
  int8?: boolean;
  calibSamples: number;
  io?: 'int8' | 'float';
  eenn?: 'multi' | 'segments';
  output: string;
  verify?: boolean;
  force?: boolean;
  softmax?: boolean;
  seed: number;
}

/** Samples drawn for verification when no dataset is given. */
const VERIFY_SAMPLES = 16;

function loadGraph(path: string, flags: ExportFlags): NetGraph {
  const space = resolveSpaceFlags(flags);
  const raw = readJsonFile(path);
  try {
    const config = validateConfig(space, raw, 'any');
    if (config.r === undefined && flags.resolution === undefined) throw new UsageError(`${path}: the config has no "r"; give --resolution <px>`);
    return realise(space, config, { resolution: flags.resolution, classes: flags.classes });
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`${path}: ${err.message}`);
    throw err;
  }
}

function loadParams(graph: NetGraph, flags: ExportFlags, log: (line: string) => void): NetParams {
  if (flags.weights === undefined) {
    log(`no --weights: exporting seeded random weights (seed ${flags.seed}); the model shows structure and cost, not accuracy`);
    return initParams(graph, flags.seed);
  }
  try {
    return loadCheckpoint(flags.weights, graph);
  } catch (err) {
    throw new UsageError(`--weights ${flags.weights}: ${(err as Error).message}`);
  }
}

function normalSamples(graph: NetGraph, n: number, seed: number): Float32Array {
  const [h, w, c] = graph.tensors[graph.input];
  const rng = new Prng(seed);
  return Float32Array.from({ length: n * h * w * c }, () => rng.normal());
}

function describeModel(path: string, bytes: Uint8Array): string {
  const t = modelStats(readTflite(bytes)).totals;
  return `wrote ${path}: ${formatBytes(bytes.length)}, ${t.operators} operators, ${groupThousands(t.macs)} MACs, arena ${formatBytes(t.arenaBytes)}`;
}

/**
 * The library call behind `cnas export`: realises the config, takes the checkpoint's weights (or seeded random
 * ones), calibrates on seeded random-normal images for int8 (there is no dataset option yet), writes the model
 * (or the segments and their manifest) atomically, and optionally verifies it in the TFLite runtime. Progress
 * and notes go to `log`; the returned lines summarise what was written.
 */
export async function exportFromFlags(path: string, flags: ExportFlags, log: (line: string) => void): Promise<string[]> {
  const graph = loadGraph(path, flags);
  const segmented = flags.eenn === 'segments';
  if (flags.eenn !== undefined && graph.exits.length < 2) throw new UsageError(`--eenn ${flags.eenn}: ${flags.space} networks have a single exit; use eemobilenetv3 or cbnmobilenetv3`);
  if (!flags.int8 && flags.io !== undefined) throw new UsageError(`--io ${flags.io} applies to --int8 exports only`);
  if (existsSync(flags.output) && !flags.force) throw new UsageError(`${flags.output} already exists; pass --force to overwrite it`);

  await initWasmBackend();
  const params = loadParams(graph, flags, log);
  const weights = weightsFromParams(params);
  const options: ExportOptions = { softmax: flags.softmax };
  if (flags.int8) {
    log(`calibrating on ${flags.calibSamples} seeded random-normal images (seed ${flags.seed + 1}; no dataset option yet)`);
    options.int8 = { ranges: calibrationRanges(graph, weights, normalSamples(graph, flags.calibSamples, flags.seed + 1)), io: flags.io ?? 'int8' };
  }

  const lines: string[] = [];
  try {
    if (segmented) {
      const exported = exportSegments(graph, weights, options);
      writeSegmentDir(flags.output, exported, flags.force ?? false);
      lines.push(`wrote ${flags.output}/: ${exported.files.length} segments and manifest.json`);
      for (const f of exported.files) lines.push(`  ${describeModel(f.file, f.bytes).slice('wrote '.length)}`);
      if (flags.verify) lines.push(await verifySegments(graph, params, exported, flags, options));
    } else {
      const bytes = exportTflite(graph, weights, options);
      writeModelFile(flags.output, bytes, flags.force ?? false);
      lines.push(describeModel(flags.output, bytes));
      if (flags.verify) lines.push(await verifyModel(graph, params, bytes, flags, options));
    }
  } catch (err) {
    if (err instanceof OutputExistsError) throw new UsageError(err.message);
    throw err;
  }
  return lines;
}

async function verifyModel(graph: NetGraph, params: NetParams, bytes: Uint8Array, flags: ExportFlags, options: ExportOptions): Promise<string> {
  const samples = normalSamples(graph, VERIFY_SAMPLES, flags.seed + 2);
  if (!options.int8) {
    const check = await checkFloatExport(bytes, graph, params, samples, { softmax: flags.softmax });
    return `verified against TF.js on ${check.samples} images: max relative error ${check.maxRelError.toExponential(2)}`;
  }
  const float = exportTflite(graph, weightsFromParams(params), { softmax: flags.softmax });
  const check = await top1Agreement(float, bytes, samples);
  return `verified against the float export on ${check.samples} images: top-1 agreement ${(100 * check.agreement).toFixed(1)}%`;
}

async function verifySegments(graph: NetGraph, params: NetParams, exported: SegmentExport, flags: ExportFlags, options: ExportOptions): Promise<string> {
  const samples = normalSamples(graph, VERIFY_SAMPLES, flags.seed + 2);
  const outputs = await runSegments(new Map(exported.files.map((f) => [f.file, f.bytes])), exported.manifest, samples);
  if (!options.int8) {
    const check = compareOutputs(outputs, tfjsOutputs(graph, params, samples, flags.softmax), VERIFY_SAMPLES);
    return `verified the segment chain against TF.js on ${check.samples} images: max relative error ${check.maxRelError.toExponential(2)}`;
  }
  const float = await runTflite(exportTflite(graph, weightsFromParams(params), { softmax: flags.softmax }), samples);
  const check = compareTop1(float, outputs, VERIFY_SAMPLES);
  return `verified the segment chain against the float export on ${check.samples} images: top-1 agreement ${(100 * check.agreement).toFixed(1)}%`;
}

export function registerExportCommand(program: Command): void {
  const cmd = program
    .command('export')
    .description('export a subnet to a .tflite model (float32 or int8), or an early-exit network to segments')
    .argument('<subnet.json>', "config in CNAS's net.subnet format")
    .requiredOption('-o, --output <path>', '.tflite file, or a directory for --eenn segments')
    .option('--resolution <px>', 'input resolution when the config has no "r"', integerAtLeast(32))
    .option('--classes <n>', 'number of classes', integerAtLeast(1), 1000)
    .option('--weights <dir>', 'checkpoint directory (default: seeded random weights)')
    .option('--seed <n>', 'seed of the random weights and the calibration and verification images', integerAtLeast(0), 0)
    .option('--int8', 'post-training int8 quantisation')
    .option('--calib-samples <n>', 'calibration images for --int8', integerAtLeast(1), 32)
    .addOption(new Option('--io <type>', 'model input/output type with --int8 (default int8)').choices(['int8', 'float']))
    .addOption(new Option('--eenn <mode>', 'early-exit networks: one model with every exit as an output, or one model per segment').choices(['multi', 'segments']))
    .option('--softmax', 'append SOFTMAX to every output')
    .option('--verify', 'run the export in the TFLite runtime and compare it with TF.js (float) or the float export (int8)')
    .option('--force', 'overwrite an existing output');
  addSpaceOptions(cmd).action(async (path: string, flags: ExportFlags) => {
    const lines = await exportFromFlags(path, flags, (line) => process.stderr.write(`cnas: ${line}\n`));
    process.stdout.write(lines.join('\n') + '\n');
  });
}
