/**
 * What measuring a .tflite on a board yields, whether the board is real or simulated: the search cannot and
 * need not tell the two apart, except through `provenance.simulated`.
 */

export interface MeasureSettings {
  /** Inferences run and discarded before timing. */
  warmupRuns: number;
  /** Timed inferences. */
  timedRuns: number;
  /** What the model is fed: zeros, or seeded random values in the input's range. */
  inputPolicy: 'zeros' | 'random';
  seed: number;
}

export const DEFAULT_MEASURE_SETTINGS: MeasureSettings = { warmupRuns: 2, timedRuns: 10, inputPolicy: 'random', seed: 0 };

export interface Provenance {
  /** Name of the board in its agent's registry (e.g. "sim-nucleo-l4r5zi-0"). */
  board: string;
  /** Board profile id (e.g. "nucleo-l4r5zi"). */
  profile: string;
  agent: string;
  firmware: string;
  runtime: string;
  simulated: boolean;
  /**
   * Which model was measured: the job's (the default when absent), or `builtin`, the model compiled into
   * MLPerf Tiny firmware, which cannot load another. A `builtin` measurement says nothing about the job's
   * model: its arena and flash bytes, MACs and parameters are 0 for unknown, and a search must not use it.
   */
  model?: 'job' | 'builtin';
  settings: MeasureSettings;
  /** ISO time of the measurement. */
  time: string;
}

export interface MeasurementOk {
  ok: true;
  latency: { median_ms: number; p90_ms: number; runs_ms: number[] };
  arena: { bytes: number; persistent_bytes?: number; non_persistent_bytes?: number };
  flash_bytes: number;
  /** Counted from the .tflite as deployed. */
  macs: number;
  params: number;
  /** Where the profile has a power model. */
  energy_mj?: number;
  provenance: Provenance;
}

export type FailureReason = 'arena_overflow' | 'flash_overflow' | 'unsupported_operator' | 'timeout' | 'board_error' | 'invalid_model';

export interface MeasurementFailure {
  ok: false;
  reason: FailureReason;
  message: string;
  provenance: Provenance;
}

export type Measurement = MeasurementOk | MeasurementFailure;

/** A way of running a model on one board: the serial bridge, a local runtime, or the simulator. */
export interface Runner {
  /** Profile id of the board this runner drives. */
  readonly profile: string;
  /** What runs the models, when the runner learns it from the board (part of the measurement cache's key). */
  readonly firmware?: string;
  measure(model: Uint8Array, settings: MeasureSettings): Promise<Measurement>;
  /** Lets go of the board's link (a serial port), for runners that hold one. */
  close?(): Promise<void>;
}
