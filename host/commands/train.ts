import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { DATASET_NAMES } from '../../src/data/registry.ts';
import { selectBackend } from '../../src/nn/backend/backend.ts';
import { fullTrain } from '../../src/nn/full-train.ts';
import type { FullTrainResult } from '../../src/nn/full-train.ts';
import { trainingData } from '../../src/nn/training-data.ts';
import { exitSettings } from '../../src/search/evaluators/create-evaluator.ts';
import { parseOptionsLayer, resolveSearchOptions } from '../../src/search/search-options.ts';
import { BACKEND_NAMES } from '../../src/search/search-options.ts';
import { fileLogger } from '../../src/util/log.ts';
import { explicitOptions } from '../option-layer.ts';
import { finiteNumber, integerAtLeast, positiveNumber } from '../option-parsers.ts';
import { readJsonFile } from '../read-json.ts';
import { resolveSpaceFlags } from '../space-options.ts';
import { UsageError } from '../usage-error.ts';

interface TrainFlags {
  epochs: number;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  labelSmoothing: number;
  resume?: boolean;
  json?: boolean;
}

/** `cnas train <net dir>`: the search's run.json in the folder gives space, dataset and classes; flags win. */
export async function trainFromCommand(dir: string, cmd: Command, quiet: boolean): Promise<FullTrainResult> {
  const flags = cmd.opts<TrainFlags>();
  if (!existsSync(join(dir, 'net.subnet'))) throw new UsageError(`${dir}: no net.subnet here; give a folder made by cnas post-search`);
  if (flags.resume !== true && existsSync(join(dir, 'train-state.json'))) throw new UsageError(`${dir} was already trained (train-state.json exists); add --resume to continue it`);
  const saved = existsSync(join(dir, 'run.json')) ? parseOptionsLayer(readJsonFile(join(dir, 'run.json')), join(dir, 'run.json')) : {};
  const typed = parseOptionsLayer(explicitOptions(cmd, ['epochs', 'batchSize', 'learningRate', 'weightDecay', 'labelSmoothing', 'resume', 'json']), 'command line');
  const o = resolveSearchOptions(saved, typed);
  const space = resolveSpaceFlags({ space: o.search_space, width: o.width_mult, spaceFile: o.space_file, lr: o.lr, ur: o.ur, rstep: o.rstep });
  const backend = await selectBackend(o.backend).catch((err: Error) => {
    throw new UsageError(`--backend ${o.backend}: ${err.message}`);
  });
  let data;
  try {
    data = trainingData({ dataset: o.dataset, dir: o.data, valSplit: o.val_split, syntheticSize: o.synthetic_size, classes: o.n_classes, seed: o.seed });
  } catch (err) {
    throw new UsageError(`--dataset ${o.dataset}: ${(err as Error).message}`);
  }
  if (!quiet) process.stderr.write(`training ${dir} on ${o.dataset} (${data.train.size} images) with the ${backend.name} backend\n`);
  try {
    return fullTrain(
      space,
      data,
      {
        dir,
        resolution: o.lr,
        classes: o.n_classes,
        epochs: flags.epochs,
        batchSize: flags.batchSize,
        learningRate: flags.learningRate,
        weightDecay: flags.weightDecay,
        labelSmoothing: flags.labelSmoothing,
        resume: flags.resume === true,
        seed: o.seed,
        ...(o.trainer_type === 'multi_exits' && { exits: exitSettings(o) }),
      },
      fileLogger(join(dir, 'train.log')),
      quiet ? undefined : (r) => process.stderr.write(`epoch ${r.epoch}: lr ${r.lr.toFixed(4)}, train loss ${r.train_loss.toFixed(4)}, val error ${r.val_top1_error} % (${r.seconds.toFixed(1)} s)\n`),
    );
  } catch (err) {
    if (/already trained|is for another network|does not exist|corrupt/.test((err as Error).message)) throw new UsageError((err as Error).message);
    throw err;
  }
}

export function registerTrainCommand(program: Command): void {
  const cmd = program
    .command('train')
    .description('train a chosen network (a post-search folder) to convergence from its inherited weights')
    .argument('<net dir>', 'folder with net.subnet (and ckpt/, run.json) as cnas post-search writes it')
    .option('--epochs <n>', 'epochs', integerAtLeast(1), 50)
    .option('--batch-size <n>', 'batch size', integerAtLeast(2), 128)
    .option('--learning-rate <lr>', 'initial learning rate, cosine to 0', positiveNumber, 0.05)
    .option('--weight-decay <wd>', 'L2 weight decay', finiteNumber, 5e-5)
    .option('--label-smoothing <e>', 'label smoothing', finiteNumber, 0.1)
    .option('--resume', 'continue an interrupted training of this folder')
    .addOption(new Option('--dataset <name>', 'dataset (default: the search\'s)').choices(DATASET_NAMES))
    .option('--data <dir>', 'directory of the dataset files')
    .option('--val-split <fraction>', 'validation share of the training set (0 = test split)', finiteNumber)
    .option('--synthetic-size <n>', 'training images of the synthetic dataset', integerAtLeast(1))
    .option('--classes <n>', 'number of classes (default: the search\'s)', integerAtLeast(1))
    .addOption(new Option('--backend <name>', 'TF.js backend').choices(BACKEND_NAMES))
    .option('--json', 'print the result as one JSON object');
  cmd.action(async (dir: string) => {
    const json = cmd.opts<{ json?: boolean }>().json === true;
    const result = await trainFromCommand(dir, cmd, json);
    if (json) {
      process.stdout.write(JSON.stringify(result) + '\n');
      return;
    }
    process.stdout.write(`${dir}: best epoch ${result.best_epoch} of ${result.history.length}, validation top-1 error ${result.best_top1_error} %; weights in ${join(dir, 'trained')} (started from ${result.started_from})\n`);
  });
}
