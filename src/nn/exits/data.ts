import type { Batch } from '../train/batch.ts';

/**
 * Where the batches of an epoch come from: a `Batcher` (anything with `epoch(e)`) or a function of the epoch.
 * The same epoch must give the same batches when asked twice: NACHOS's support subset is drawn from an
 * epoch's samples in one pass and the rest are trained on in a second.
 */
export type EpochSource = { epoch(epoch: number): Iterable<Batch> } | ((epoch: number) => Iterable<Batch>);

export function epochBatches(source: EpochSource, epoch: number): Iterable<Batch> {
  return typeof source === 'function' ? source(epoch) : source.epoch(epoch);
}
