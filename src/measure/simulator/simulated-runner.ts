import { statsOfJobModel } from '../model-of-job.ts';
import { Prng } from '../../util/prng.ts';
import { summariseRuns } from '../latency-summary.ts';
import type { FailureReason, Measurement, MeasureSettings, Provenance, Runner } from '../measurement.ts';
import type { BoardProfile } from '../profiles/schema.ts';
import { predictLatencyMs } from './cost-model.ts';
import { estimateArena, estimateFlash } from './memory.ts';
import { supportsOperator } from './operators.ts';

export interface FaultOptions {
  /** Probability that a measurement ends in `timeout`. */
  timeoutProbability?: number;
  /** Probability that a measurement ends in `board_error` (drawn after the timeout). */
  boardErrorProbability?: number;
  /**
   * A hung board: every measurement waits this many milliseconds of real time, then reports `timeout`;
   * `Infinity` never answers, for callers that must enforce their own deadline.
   */
  hangMs?: number;
}

export interface SimulatorOptions {
  /** Relative standard deviation of each timed run (0: every run equals the prediction). */
  noise?: number;
  faults?: FaultOptions;
  /** Seed of noise and faults, mixed with the settings' seed and the call count; default 0. */
  seed?: number;
  /** Name in provenance; default `sim-<profile>-0`. */
  board?: string;
  /** Clock for provenance times (tests fix it). */
  now?: () => Date;
}

function checkProbability(name: string, p: number | undefined): number {
  const v = p ?? 0;
  if (!(v >= 0 && v <= 1)) throw new RangeError(`${name} must be in [0, 1], got ${p}`);
  return v;
}

/**
 * A board that is not there: predicts what the profile's board would measure from the model's operators
 * (see cost-model.ts and memory.ts). Without noise and faults the answer is a pure function of the model,
 * the profile and the settings; with them, of the seeds and of how many measurements came before.
 */
export class SimulatedRunner implements Runner {
  readonly profile: string;
  private readonly board: BoardProfile;
  private readonly noise: number;
  private readonly timeoutP: number;
  private readonly boardErrorP: number;
  private readonly hangMs: number | undefined;
  private readonly seed: number;
  private readonly name: string;
  private readonly now: () => Date;
  private calls = 0;

  constructor(board: BoardProfile, options: SimulatorOptions = {}) {
    this.board = board;
    this.profile = board.id;
    this.noise = options.noise ?? 0;
    if (!(this.noise >= 0)) throw new RangeError(`noise must be >= 0, got ${options.noise}`);
    this.timeoutP = checkProbability('timeoutProbability', options.faults?.timeoutProbability);
    this.boardErrorP = checkProbability('boardErrorProbability', options.faults?.boardErrorProbability);
    this.hangMs = options.faults?.hangMs;
    this.seed = options.seed ?? 0;
    this.name = options.board ?? `sim-${board.id}-0`;
    this.now = options.now ?? (() => new Date());
  }

  async measure(model: Uint8Array, settings: MeasureSettings): Promise<Measurement> {
    const call = this.calls++;
    const provenance: Provenance = {
      board: this.name,
      profile: this.board.id,
      agent: 'simulator',
      firmware: 'none',
      runtime: `simulator/${this.board.simulator.library}`,
      simulated: true,
      settings,
      time: this.now().toISOString(),
    };
    const fail = (reason: FailureReason, message: string): Measurement => ({ ok: false, reason, message, provenance });

    if (this.hangMs !== undefined) {
      const ms = this.hangMs;
      if (ms === Infinity) return new Promise<Measurement>(() => {});
      await new Promise((resolve) => setTimeout(resolve, ms));
      return fail('timeout', `${this.name}: no answer within ${ms} ms (simulated hang)`);
    }
    // Separate streams for faults and noise, so switching noise on does not move the faults.
    const mix = (this.seed * 0x9e3779b1 + settings.seed * 0x85ebca6b + call * 0xc2b2ae35) >>> 0;
    const faultDraw = new Prng(mix ^ 0x5bd1e995).next();
    if (faultDraw < this.timeoutP) return fail('timeout', `${this.name}: no answer (simulated timeout, call ${call})`);
    if (faultDraw < this.timeoutP + this.boardErrorP) return fail('board_error', `${this.name}: board error (simulated, call ${call})`);

    const read = statsOfJobModel(model);
    if ('invalid' in read) return fail('invalid_model', read.invalid);
    const { stats } = read;
    const sim = this.board.simulator;
    const missing = [...new Set(stats.operators.map((o) => o.op).filter((op) => !supportsOperator(sim.library, op)))];
    if (missing.length > 0) return fail('unsupported_operator', `${this.board.id} (${sim.library}) cannot run ${missing.join(', ')}`);

    const flash = estimateFlash(stats, sim);
    const flashAvailable = this.board.memory.flashBytes;
    if (flashAvailable !== null && flash > flashAvailable) {
      return fail('flash_overflow', `${this.board.id}: needs ${flash} bytes of flash (model ${stats.totals.fileBytes} + runtime ${sim.runtimeFlashBytes}), ${flashAvailable} available`);
    }
    const arena = estimateArena(stats, sim);
    if (arena.bytes > this.board.memory.arenaBytes) {
      return fail('arena_overflow', `${this.board.id}: needs ${arena.bytes} bytes of arena (activations ${stats.totals.arenaBytes}, scratch and state ${arena.bytes - stats.totals.arenaBytes}), ${this.board.memory.arenaBytes} available`);
    }

    const predicted = predictLatencyMs(stats, sim, this.board.clockMhz);
    const rng = new Prng(mix);
    // Warm-up runs are drawn and dropped, as a board runs and discards them.
    for (let i = 0; i < settings.warmupRuns && this.noise > 0; i++) rng.normal();
    const runs = Array.from({ length: Math.max(settings.timedRuns, 1) }, () =>
      this.noise > 0 ? predicted * Math.max(0.05, 1 + this.noise * rng.normal()) : predicted,
    );
    const latency = summariseRuns(runs);
    return {
      ok: true,
      latency,
      arena: { bytes: arena.bytes, persistent_bytes: arena.persistentBytes, non_persistent_bytes: arena.nonPersistentBytes },
      flash_bytes: flash,
      macs: stats.totals.macs,
      params: stats.totals.params,
      ...(this.board.power ? { energy_mj: (this.board.power.activeMw * latency.median_ms) / 1000 } : {}),
      provenance,
    };
  }
}
