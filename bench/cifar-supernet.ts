/**
 * A manual end-to-end run on CIFAR-10: train a narrow supernet for a fixed budget, then fine-tune three of its
 * subnets (smallest, a middle one, largest) and report accuracies and wall times. Baseline in the same run:
 * the middle subnet trained from seeded random weights for the same fine-tuning budget.
 * Usage: npx tsx bench/cifar-supernet.ts --data <dir with data_batch_*.bin, test_batch.bin> [--epochs 5] [--finetune 3]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initWasmBackend } from '../src/nn/backend/wasm-setup.ts';
import { trainSupernet } from '../src/nn/supernet/train-run.ts';
import { Supernet } from '../src/nn/supernet/supernet.ts';
import { largestConfig, smallestConfig } from '../src/nn/supernet/layout.ts';
import { TrainEvaluator } from '../src/nn/train-evaluator.ts';
import { trainingData } from '../src/nn/training-data.ts';
import { defaultCostSettings } from '../src/search/evaluators/analytic.ts';
import { loadSpace } from '../src/space/load-space.ts';
import type { SubnetConfig } from '../src/space/config.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback?: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const dataDir = arg('--data');
if (!dataDir) throw new Error('give --data <CIFAR-10 binary directory>');
const epochs = Number(arg('--epochs', '5'));
const finetune = Number(arg('--finetune', '3'));

await initWasmBackend();
const space = loadSpace('mobilenetv3', { widthMult: 0.35, lr: 32, ur: 32 });
const data = trainingData({ dataset: 'cifar10', dir: dataDir, valSplit: 0.2, syntheticSize: 1, classes: 10, seed: 0 });
const dir = mkdtempSync(join(tmpdir(), 'cnas-cifar-'));
let t = Date.now();
const run = trainSupernet(space, 10, data, { save: join(dir, 'supernet'), resume: false, epochs, batchSize: 64, learningRate: 0.1, weightDecay: 3e-5, randomSubnets: 2, seed: 0 }, {
  onEpoch: (e, loss, s) => console.log(`supernet epoch ${e + 1}/${epochs}: loss ${loss.toFixed(3)} (${s.toFixed(0)} s)`),
});
const supernetSeconds = (Date.now() - t) / 1000;
console.log(`supernet: ${supernetSeconds.toFixed(0)} s, largest subnet ${run.largest_top1} % error, smallest ${run.smallest_top1} % (after BN recalibration, no fine-tuning)`);

const middle: SubnetConfig = { ks: [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5], e: [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4], d: [3, 3, 3, 3, 3] };
const settings = { epochs: finetune, batchSize: 64, learningRate: 0.01, weightDecay: 5e-5, recalibrationBatches: 20, seed: 0 };
const sn = Supernet.load(join(dir, 'supernet'), space, 10);
const inherited = new TrainEvaluator(space, defaultCostSettings(space, 10), data, settings, {}, sn);
const scratch = new TrainEvaluator(space, defaultCostSettings(space, 10), data, { ...settings, learningRate: 0.1 }, {});
const nets: [string, SubnetConfig, TrainEvaluator][] = [
  ['smallest (inherited)', smallestConfig(space), inherited],
  ['middle (inherited)', middle, inherited],
  ['largest (inherited)', largestConfig(space), inherited],
  ['middle (from scratch, baseline)', middle, scratch],
];
for (const [name, config, evaluator] of nets) {
  t = Date.now();
  const [o] = await evaluator.evaluate([{ config, dir: join(dir, name.replace(/\W+/g, '_')), iteration: 0, index: 0, alphaNorm: 1 }]);
  if (!o.ok) throw new Error(o.reason);
  console.log(`${name}: ${finetune} epochs -> top-1 error ${o.stats.top1} %, ${o.stats.macs} MMACs, ${o.stats.params} M params (${((Date.now() - t) / 1000).toFixed(0)} s)`);
}
sn.dispose();
