import { Option } from 'commander';
import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { DATASET_NAMES } from '../../src/data/registry.ts';
import { selectBackend } from '../../src/nn/backend/backend.ts';
import { trainSupernet } from '../../src/nn/supernet/train-run.ts';
import { importOfaCheckpoint } from '../../src/nn/ofa-import/import-ofa.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SupernetRunHooks, SupernetRunOptions } from '../../src/nn/supernet/train-run.ts';
import { trainingData } from '../../src/nn/training-data.ts';
import { BACKEND_NAMES } from '../../src/search/search-options.ts';
import { finiteNumber, integerAtLeast, positiveNumber } from '../option-parsers.ts';
import { addSpaceOptions, resolveSpaceFlags } from '../space-options.ts';
import type { SpaceFlags } from '../space-options.ts';
import { UsageError } from '../usage-error.ts';

interface SupernetTrainFlags extends SpaceFlags, Omit<SupernetRunOptions, 'resume'> {
  classes: number;
  dataset: string;
  data?: string;
  valSplit: number;
  syntheticSize: number;
  resume?: boolean;
  backend: (typeof BACKEND_NAMES)[number];
  json?: boolean;
}

function progress(): SupernetRunHooks {
  const bar = process.stderr.isTTY ? new SingleBar({ format: 'epoch {epoch} [{bar}] {value}/{total} batches, loss {loss}', stream: process.stderr, clearOnComplete: true }) : undefined;
  let started = -1;
  return {
    onBatch(epoch, batch, batches, loss) {
      if (!bar) return;
      if (started !== epoch) {
        bar.start(batches, 0, { epoch: epoch + 1, loss: '-' });
        started = epoch;
      }
      bar.update(batch, { loss: loss.toFixed(3) });
    },
    onEpoch(epoch, loss, seconds) {
      bar?.stop();
      started = -1;
      process.stderr.write(`epoch ${epoch + 1}: sandwich loss ${loss.toFixed(4)} (${seconds.toFixed(1)} s)\n`);
    },
  };
}

/** The library calls behind `cnas supernet train`; bad input becomes a UsageError (exit 2). */
export async function supernetTrainFromFlags(flags: SupernetTrainFlags, hooks?: SupernetRunHooks) {
  const space = resolveSpaceFlags(flags);
  const backend = await selectBackend(flags.backend).catch((err: Error) => {
    throw new UsageError(`--backend ${flags.backend}: ${err.message}`);
  });
  let data;
  try {
    data = trainingData({ dataset: flags.dataset, dir: flags.data, valSplit: flags.valSplit, syntheticSize: flags.syntheticSize, classes: flags.classes, seed: flags.seed });
  } catch (err) {
    throw new UsageError(`--dataset ${flags.dataset}: ${(err as Error).message}`);
  }
  if (hooks) process.stderr.write(`training on the ${backend.name} backend${backend.fellBackFrom ? ` (${backend.fellBackFrom.join(', ')} unavailable)` : ''}\n`);
  try {
    return trainSupernet(space, flags.classes, data, { ...flags, resume: flags.resume === true }, hooks);
  } catch (err) {
    const message = (err as Error).message;
    if (/already holds a supernet|trained for another space|corrupt|not a supernet/.test(message)) throw new UsageError(message);
    throw err;
  }
}

interface ImportFlags extends SpaceFlags {
  classes: number;
  save: string;
  json?: boolean;
}

/** `cnas supernet import-ofa`: the public OFA PyTorch checkpoint into cnas's supernet format. */
export async function importOfaFromFlags(checkpoint: string, flags: ImportFlags): Promise<{ save: string; tensors: number; unused: string[]; ignored: number }> {
  const space = resolveSpaceFlags(flags);
  if (existsSync(join(flags.save, 'manifest.json'))) throw new UsageError(`${flags.save} already holds weights; choose another --save`);
  // Conversion needs tensors but no speed: the pure-JS backend always loads.
  await selectBackend('cpu');
  let imported;
  try {
    imported = importOfaCheckpoint(checkpoint, space, flags.classes);
  } catch (err) {
    const message = (err as Error).message;
    throw new UsageError(message.includes(checkpoint) ? message : `${checkpoint}: ${message}`);
  }
  try {
    imported.supernet.save(flags.save);
    return { save: flags.save, tensors: imported.supernet.tensors.length, unused: imported.unused, ignored: imported.ignored.length };
  } finally {
    imported.supernet.dispose();
  }
}

export function registerSupernetCommands(program: Command): void {
  const supernet = program.command('supernet').description('weight-sharing supernets');
  const importCmd = supernet
    .command('import-ofa')
    .description('convert the public once-for-all checkpoint (e.g. ofa_mbv3_d234_e346_k357_w1.0) into a cnas supernet')
    .argument('<checkpoint>', 'the OFA PyTorch checkpoint file')
    .option('--classes <n>', 'classes to keep (the first n rows of the ImageNet classifier, as CNAS)', integerAtLeast(1), 1000)
    .option('--save <dir>', 'where the supernet is written', 'supernet')
    .option('--json', 'print the result as one JSON object');
  addSpaceOptions(importCmd).action(async (checkpoint: string, flags: ImportFlags) => {
    const r = await importOfaFromFlags(checkpoint, flags);
    if (flags.json) {
      process.stdout.write(JSON.stringify(r) + '\n');
      return;
    }
    process.stdout.write(`${r.save}: ${r.tensors} tensors imported${r.unused.length > 0 ? `; not used: ${r.unused.join(', ')}` : ''}\n`);
  });
  const cmd = supernet
    .command('train')
    .description('train an OFA MobileNetV3 supernet with the sandwich rule and in-place distillation')
    .option('--classes <n>', 'number of classes', integerAtLeast(1), 10)
    .addOption(new Option('--dataset <name>', 'dataset').choices(DATASET_NAMES).default('synthetic'))
    .option('--data <dir>', 'directory of the dataset files')
    .option('--val-split <fraction>', 'share of the training set held out for validation (0 = test split)', finiteNumber, 0.2)
    .option('--synthetic-size <n>', 'training images of the synthetic dataset', integerAtLeast(1), 2000)
    .option('--epochs <n>', 'epochs', integerAtLeast(1), 10)
    .option('--batch-size <n>', 'batch size', integerAtLeast(2), 64)
    .option('--learning-rate <lr>', 'initial learning rate, cosine to 0', positiveNumber, 0.05)
    .option('--weight-decay <wd>', 'L2 weight decay', finiteNumber, 3e-5)
    .option('--random-subnets <n>', 'random subnets per step besides the largest and smallest', integerAtLeast(0), 2)
    .option('--seed <n>', 'seed', integerAtLeast(0), 0)
    .option('--save <dir>', 'where the supernet is written', 'supernet')
    .option('--resume', 'continue the supernet in --save from its last finished epoch')
    .addOption(new Option('--backend <name>', 'TF.js backend').choices(BACKEND_NAMES).default('auto'))
    .option('--json', 'print the result as one JSON object');
  addSpaceOptions(cmd).action(async (flags: SupernetTrainFlags) => {
    const result = await supernetTrainFromFlags(flags, flags.json ? undefined : progress());
    if (flags.json) {
      process.stdout.write(JSON.stringify(result) + '\n');
      return;
    }
    process.stdout.write(
      `${result.save}: ${result.epochs} epochs, final loss ${result.losses.at(-1)?.toFixed(4)}; top-1 error of the largest subnet ${result.largest_top1} %, of the smallest ${result.smallest_top1} %\n`,
    );
  });
}
