import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Batcher } from '../../src/data/batcher.ts';
import { synthetic } from '../../src/data/synthetic.ts';
import { saveCheckpoint } from '../../src/nn/model/checkpoint.ts';
import { disposeParams, initParams } from '../../src/nn/model/params.ts';
import { trainExits } from '../../src/nn/exits/train-exits.ts';
import { loadSpace } from '../../src/space/load-space.ts';
import { realise } from '../../src/space/realise.ts';

export const CONFIG = { ks: Array<number>(10).fill(3), e: Array<number>(10).fill(3), d: [2, 2, 2, 2, 2], t: [0.1, 1, 0.2, 1] };
export const EPSILON = [0.01, 0.02, 1];
export const RUN = { search_space: 'eemobilenetv3', width_mult: 0.35, lr: 32, ur: 32, n_classes: 10, dataset: 'synthetic', synthetic_size: 320, val_split: 0, trainer_type: 'multi_exits' };

/** A post-search folder (needs the wasm backend initialised) of a small eemobilenetv3 net whose backbone and exits trained one epoch on synthetic images. */
export function trainedEennDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cnas-bench-eenn-'));
  const graph = realise(loadSpace('eemobilenetv3', { widthMult: 0.35 }), CONFIG, { resolution: 32, classes: 10 });
  const params = initParams(graph, 1);
  try {
    const data = { train: new Batcher(synthetic(128, 1), { batchSize: 32, seed: 1 }), validation: new Batcher(synthetic(64, 2), { batchSize: 64, shuffle: false }) };
    const { stats } = trainExits(graph, params, data, { method: 'joint', epochs: 1, warmupEpochs: 0, lr: 0.05, wAlpha: 1, wBeta: 1, wGamma: 1, supportSet: false, tuneEpsilon: false, seed: 1 });
    saveCheckpoint(join(dir, 'trained'), graph, params);
    // Thresholds low enough for a network trained one epoch to let samples leave early.
    writeFileSync(join(dir, 'net.stats'), JSON.stringify({ ...stats, epsilon: EPSILON }));
  } finally {
    disposeParams(params);
  }
  writeFileSync(join(dir, 'net.subnet'), JSON.stringify(CONFIG));
  writeFileSync(join(dir, 'run.json'), JSON.stringify(RUN));
  return dir;
}
