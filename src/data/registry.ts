import { readCifar10, readCifar100 } from './cifar.ts';
import type { Dataset, Split } from './dataset.ts';
import { deriveSeed } from './derive-seed.ts';
import { DatasetError } from './errors.ts';
import { readImageFolder } from './image-folder.ts';
import { synthetic } from './synthetic.ts';

export const DATASET_NAMES = ['cifar10', 'cifar100', 'synthetic', 'imagefolder'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

/** Images per split of the synthetic set unless `size` says otherwise. */
export const SYNTHETIC_DEFAULT_SIZE: Readonly<Record<Split, number>> = { train: 10000, test: 2000 };

export interface LoadOptions {
  split: Split;
  /** cifar10, cifar100, imagefolder: the directory holding the files. */
  dir?: string;
  /** synthetic: base seed (default 0); the test split draws from a different stream than the train split. */
  seed?: number;
  /** synthetic: number of images (default SYNTHETIC_DEFAULT_SIZE). */
  size?: number;
  /** synthetic: class count (default 10). */
  classes?: number;
  /** synthetic, imagefolder: stored image side in pixels. */
  resolution?: number;
}

const SPLITS: readonly Split[] = ['train', 'test'];

export function loadDataset(name: string, options: LoadOptions): Dataset {
  if (!SPLITS.includes(options.split)) throw new DatasetError(`unknown split "${String(options.split)}"; allowed: ${SPLITS.join(', ')}`);
  switch (name as DatasetName) {
    case 'cifar10':
      return readCifar10(requireDir(name, options), options.split);
    case 'cifar100':
      return readCifar100(requireDir(name, options), options.split);
    case 'imagefolder':
      return readImageFolder(requireDir(name, options), options.split, { resolution: options.resolution });
    case 'synthetic': {
      const seed = deriveSeed(options.seed ?? 0, options.split === 'train' ? 0 : 1);
      const size = options.size ?? SYNTHETIC_DEFAULT_SIZE[options.split];
      return synthetic(size, seed, { classes: options.classes, resolution: options.resolution });
    }
    default:
      throw new DatasetError(`unknown dataset "${name}"; allowed: ${DATASET_NAMES.join(', ')}`);
  }
}

function requireDir(name: string, options: LoadOptions): string {
  if (options.dir === undefined) throw new DatasetError(`${name}: option dir is required (the directory holding the dataset files)`);
  return options.dir;
}
