import { modelStats } from '../export/model-stats.ts';
import type { ModelStats } from '../export/model-stats.ts';
import { readTflite } from '../export/reader.ts';

/**
 * What every runner first needs of a job's bytes: the model's statistics, or the reader's reason why the bytes
 * are no TFLite model (the runner reports it as an `invalid_model` failure, never as a crash).
 */
export function statsOfJobModel(model: Uint8Array): { stats: ModelStats } | { invalid: string } {
  try {
    return { stats: modelStats(readTflite(model)) };
  } catch (err) {
    return { invalid: (err as Error).message };
  }
}
