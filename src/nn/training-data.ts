import type { Dataset } from '../data/dataset.ts';
import { loadDataset } from '../data/registry.ts';
import { splitDataset } from '../data/split.ts';

export interface TrainingDataOptions {
  dataset: string;
  /** Directory of the dataset files (all but synthetic). */
  dir?: string;
  /** Share of the training set held out for validation; 0 validates on the test split (CNAS's default). */
  valSplit: number;
  /** Synthetic only: images in the training split (the test split gets a fifth). */
  syntheticSize: number;
  classes: number;
  seed: number;
}

/** The training and validation sets a candidate is fine-tuned and judged on. */
export function trainingData(o: TrainingDataOptions): { train: Dataset; validation: Dataset } {
  const common = { dir: o.dir, seed: o.seed, classes: o.classes };
  const full = loadDataset(o.dataset, { ...common, split: 'train', size: o.syntheticSize });
  if (full.classes !== o.classes) {
    throw new Error(`${o.dataset} has ${full.classes} classes but the network has ${o.classes}; set --classes ${full.classes}`);
  }
  if (o.valSplit > 0) return splitDataset(full, { validationFraction: o.valSplit, seed: o.seed });
  return { train: full, validation: loadDataset(o.dataset, { ...common, split: 'test', size: Math.max(1, Math.round(o.syntheticSize / 5)) }) };
}
