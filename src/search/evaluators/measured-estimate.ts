import { modelStats } from '../../export/model-stats.ts';
import { readTflite } from '../../export/reader.ts';
import type { MeasurementFailure } from '../../measure/measurement.ts';
import { profileById } from '../../measure/profiles/load.ts';
import { predictLatencyMs } from '../../measure/simulator/cost-model.ts';
import { estimateArena, estimateFlash } from '../../measure/simulator/memory.ts';

/** Measured keys of a model a board refused, and where they come from. */
export interface RefusedEstimate {
  ram_kb: number;
  flash_kb: number;
  latency_ms?: number;
  energy_mj?: number;
  /** `simulator <profile>` when the board's profile is known, else `model` (planned arena and file size). */
  source: string;
}

/**
 * What is known of a model that a board refused (`arena_overflow`, `flash_overflow`): the search must still
 * see how far over the limits it is, so that the candidate is a constraint violation rather than a hole in
 * the archive. With the board's profile at hand, its simulator gives the memory it would need and the latency
 * it would have; otherwise the model's own planned arena and size are all there is (and latency stays unknown).
 */
export function estimateRefused(model: Uint8Array, failure: MeasurementFailure): RefusedEstimate {
  const stats = modelStats(readTflite(model));
  let profile;
  try {
    profile = profileById(failure.provenance.profile);
  } catch {
    return { ram_kb: stats.totals.arenaBytes / 1024, flash_kb: model.length / 1024, source: 'model' };
  }
  const latency = predictLatencyMs(stats, profile.simulator, profile.clockMhz);
  return {
    ram_kb: estimateArena(stats, profile.simulator).bytes / 1024,
    flash_kb: estimateFlash(stats, profile.simulator) / 1024,
    latency_ms: latency,
    ...(profile.power && { energy_mj: (profile.power.activeMw * latency) / 1000 }),
    source: `simulator ${profile.id}`,
  };
}
