import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { CORRUPTIONS } from '../../src/data/corruptions/index.ts';
import { corruptionGrid, writePng } from '../../src/data/corruptions/preview.ts';
import { subset } from '../../src/data/dataset.ts';
import type { Dataset } from '../../src/data/dataset.ts';
import { readCifar10C } from '../../src/data/npy.ts';
import { DATASET_NAMES, loadDataset } from '../../src/data/registry.ts';
import { selectBackend } from '../../src/nn/backend/backend.ts';
import { loadCheckpoint } from '../../src/nn/model/checkpoint.ts';
import { disposeParams } from '../../src/nn/model/params.ts';
import { evaluateOod } from '../../src/nn/ood-eval.ts';
import type { OodReport } from '../../src/nn/ood-eval.ts';
import { parseOptionsLayer, resolveSearchOptions } from '../../src/search/search-options.ts';
import type { SubnetConfig } from '../../src/space/config.ts';
import { realise } from '../../src/space/realise.ts';
import { Prng } from '../../src/util/prng.ts';
import { formatTable } from '../format/table.ts';
import { integerAtLeast } from '../option-parsers.ts';
import { readJsonFile } from '../read-json.ts';
import { resolveSpaceFlags } from '../space-options.ts';
import { UsageError } from '../usage-error.ts';

interface OodFlags {
  dataset?: string;
  data?: string;
  oodData?: string;
  corruptions: string[];
  severities: number[];
  limit: number;
  batchSize: number;
  preview?: string;
  seed: number;
  json?: boolean;
}

function testSet(name: string, dir: string | undefined, classes: number, seed: number): Dataset {
  try {
    return loadDataset(name, { split: 'test', dir, classes, seed, size: 1000 });
  } catch (err) {
    throw new UsageError(`--dataset ${name}: ${(err as Error).message}`);
  }
}

/** The preview grid of every corruption and severity on the first test image. */
function writePreview(path: string, d: Dataset, seed: number): void {
  const image = Float32Array.from(d.images.subarray(0, d.height * d.width * 3), (v) => v / 255);
  const grid = corruptionGrid(image, d.height, d.width, new Prng(seed), { scale: Math.max(1, Math.round(96 / d.height)) });
  writePng(path, grid.rgb, grid.height, grid.width);
}

/** `cnas eval-ood <net dir>`: its trained (or fine-tuned) weights against every corruption and severity. */
export async function evalOodFromFlags(dir: string | undefined, flags: OodFlags, quiet: boolean): Promise<OodReport | undefined> {
  const saved = dir && existsSync(join(dir, 'run.json')) ? parseOptionsLayer(readJsonFile(join(dir, 'run.json')), join(dir, 'run.json')) : {};
  const o = resolveSearchOptions(saved, { ...(flags.dataset && { dataset: flags.dataset }), ...(flags.data && { data: flags.data }) });
  // Without a search's run.json only the preview is made, on a 10-class test set.
  const clean = testSet(o.dataset, o.data, saved.n_classes ?? 10, o.seed);
  if (flags.preview) {
    writePreview(flags.preview, clean, flags.seed);
    if (!quiet) process.stderr.write(`wrote ${flags.preview}: ${CORRUPTIONS.length} corruptions x 5 severities on the first test image\n`);
  }
  if (dir === undefined) return undefined;
  if (!existsSync(join(dir, 'net.subnet'))) throw new UsageError(`${dir}: no net.subnet here; give a folder made by cnas post-search`);
  const weights = ['trained', 'ckpt'].map((w) => join(dir, w)).find((w) => existsSync(join(w, 'manifest.json')));
  if (!weights) throw new UsageError(`${dir}: no trained/ or ckpt/ weights; train the net first (cnas train ${dir})`);
  const space = resolveSpaceFlags({ space: o.search_space, width: o.width_mult, spaceFile: o.space_file, lr: o.lr, ur: o.ur, rstep: o.rstep });
  const config = JSON.parse(readFileSync(join(dir, 'net.subnet'), 'utf8')) as SubnetConfig;
  const graph = realise(space, config, { resolution: o.lr, classes: o.n_classes });
  await selectBackend(o.backend);
  let params;
  try {
    params = loadCheckpoint(weights, graph);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const limited = clean.size > flags.limit ? subset(clean, Array.from({ length: flags.limit }, (_, i) => i)) : clean;
  try {
    return evaluateOod(graph, params, limited, {
      corruptions: flags.corruptions,
      severities: flags.severities,
      batchSize: flags.batchSize,
      seed: flags.seed,
      ...(flags.oodData && {
        load: (c: string, s: number) => {
          const d = readCifar10C(flags.oodData!, c, s);
          return d.size > flags.limit ? subset(d, Array.from({ length: flags.limit }, (_, i) => i)) : d;
        },
      }),
      onResult: quiet ? undefined : (c, s, e) => process.stderr.write(`${c} severity ${s}: error ${e} %\n`),
    });
  } catch (err) {
    if (flags.oodData) throw new UsageError(`--ood-data ${flags.oodData}: ${(err as Error).message}`);
    throw err;
  } finally {
    disposeParams(params);
  }
}

export function registerEvalOodCommand(program: Command): void {
  program
    .command('eval-ood')
    .description('error of a trained net under the 15 CIFAR-10-C corruptions at 5 severities, and the mean corruption error')
    .argument('[net dir]', 'a post-search folder with trained/ or ckpt/ weights (optional with --preview)')
    .addOption(new Option('--dataset <name>', "clean test set (default: the search's)").choices(DATASET_NAMES))
    .option('--data <dir>', 'directory of the dataset files')
    .option('--ood-data <dir>', 'the official CIFAR-10-C .npy files instead of generating the corruptions')
    .addOption(new Option('--corruptions <names...>', 'corruptions to evaluate').choices(CORRUPTIONS).default([...CORRUPTIONS]))
    .option('--severities <levels...>', 'severities (1-5)', (v: string, prev: number[] | undefined) => [...(prev ?? []), integerAtLeast(1)(v)])
    .option('--limit <n>', 'test images used', integerAtLeast(1), 1000)
    .option('--batch-size <n>', 'evaluation batch size', integerAtLeast(1), 100)
    .option('--preview <out.png>', 'also write a picture of every corruption and severity on the first test image')
    .option('--seed <n>', 'seed of the corruptions', integerAtLeast(0), 0)
    .option('--json', 'print the report as one JSON object')
    .action(async (dir: string | undefined, flags: OodFlags) => {
      const severities = flags.severities ?? [1, 2, 3, 4, 5];
      if (severities.some((s) => s > 5)) throw new UsageError(`--severities: allowed values: 1, 2, 3, 4, 5`);
      if (dir === undefined && flags.preview === undefined) throw new UsageError('give a net folder, or --preview <out.png>');
      const report = await evalOodFromFlags(dir, { ...flags, severities }, flags.json === true);
      if (!report) return;
      if (flags.json) {
        process.stdout.write(JSON.stringify(report) + '\n');
        return;
      }
      const rows = Object.entries(report.errors).map(([name, row]) => [name, ...severities.map((s) => row[String(s)].toFixed(2)), row.mean.toFixed(2)]);
      process.stdout.write(`${dir}: clean error ${report.clean_error} %, mean corruption error ${report.mce} % (${report.images} images)\n`);
      process.stdout.write(formatTable(['corruption', ...severities.map((s) => `s${s}`), 'mean'], rows) + '\n');
    });
}
