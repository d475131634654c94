import { tinyMl } from '../../graph/tiny-ml.ts';
import type { TinyMlSettings } from '../../graph/tiny-ml.ts';

/** What a board measured of a model, in the units of the measured keys. */
export interface BoardMemory {
  ram_kb: number;
  flash_kb: number;
}

/**
 * CBNAS's tiny_ml with its memory terms taken from a board instead of the cost model: the flash the model
 * occupies stands for the params term and the tensor arena for the activations term, both in MB (10^6 bytes,
 * one int8 byte per parameter or activation, so pmax and amax keep their meaning). Unlike the cost model's
 * millions they are not rounded to two decimals: a microcontroller's arena is tens of kB, which would round
 * to nothing. The MACs term is CNAS's, from the cost model's rounded millions.
 */
export function measuredTinyMl(board: BoardMemory, macs: number, settings: TinyMlSettings): number {
  const mb = (kb: number): number => (kb * 1024) / 1e6;
  return tinyMl({ params: mb(board.flash_kb), macs, activations: mb(board.ram_kb) }, settings);
}
