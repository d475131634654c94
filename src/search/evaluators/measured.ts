import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { calibrationRanges, exportTflite } from '../../export/export-model.ts';
import type { NetGraph } from '../../graph/types.ts';
import type { Measurement } from '../../measure/measurement.ts';
import { MANIFEST_FILE, readCheckpointValues } from '../../nn/model/checkpoint.ts';
import { initialValues, paramLayout } from '../../nn/model/params.ts';
import type { SubnetConfig } from '../../space/config.ts';
import type { SearchSpace } from '../../space/definition.ts';
import { realise } from '../../space/realise.ts';
import { Prng } from '../../util/prng.ts';
import type { EvalOutcome, EvalRequest, Evaluator, Stats } from '../evaluator.ts';
import type { SearchOptions } from '../search-options.ts';
import { costStats } from './analytic.ts';
import type { CostSettings } from './analytic.ts';
import { estimateRefused } from './measured-estimate.ts';
import { measuredTinyMl } from './measured-tiny-ml.ts';

/** Keys a board measurement provides; `energy_mj` only where the board's profile has a power model. */
export const MEASURED_KEYS = ['latency_ms', 'ram_kb', 'flash_kb', 'energy_mj'] as const;

/** Measures a .tflite on a board of the fleet; injected, so that the search itself opens no socket. */
export type MeasureFn = (model: Uint8Array, selector: string) => Promise<Measurement>;

export interface MeasuredSettings {
  /** Board selectors (profile ids or board names), each model is measured on all of them. */
  boards: readonly string[];
  /** `max`: the keys hold the worst board; `each`: also `<key>@<board>` per board. */
  agg: SearchOptions['board_agg'];
  /** Seed of the random weights (untrained candidates); the calibration images use seed + 1, as `cnas export`. */
  seed: number;
  calibrationImages: number;
  /** `measured`: tiny_ml from each board's flash and arena (and aggregated like the measured keys); default `cost`. */
  tinyMl?: SearchOptions['tiny_ml_source'];
}

/** Refusals that say how far a model is over a board's limits: constraint violations, not failed candidates. */
const OVER_LIMIT = new Set(['arena_overflow', 'flash_overflow']);

function normalImages(graph: NetGraph, n: number, seed: number): Float32Array {
  const [h, w, c] = graph.tensors[graph.input];
  const rng = new Prng(seed);
  return Float32Array.from({ length: n * h * w * c }, () => rng.normal());
}

/**
 * On-device objectives: after the inner evaluator (synthetic, analytic or training) has judged a candidate,
 * its network is exported to int8 TFLite (`model.tflite` in the candidate's folder) and measured on every
 * board. Measured keys replace the inner evaluator's estimates of the same name (the analytic `ram_kb` and
 * `flash_kb`), and are left to the search's surrogates: only the inner exact keys stay exact. With `tinyMl:
 * 'measured'`, tiny_ml joins them, computed per board from its flash and arena.
 */
export class MeasuredEvaluator implements Evaluator {
  readonly name: string;
  readonly keys: readonly string[];
  readonly exactKeys: readonly string[];
  readonly info: Readonly<Record<string, unknown>>;
  /** Keys each board yields and that are aggregated over the boards. */
  private readonly boardKeys: readonly string[];

  constructor(
    private readonly inner: Evaluator,
    private readonly space: SearchSpace,
    private readonly cost: CostSettings,
    private readonly measure: MeasureFn,
    private readonly settings: MeasuredSettings,
  ) {
    if (settings.boards.length === 0) throw new Error('MeasuredEvaluator needs at least one board');
    this.name = `measured ${inner.name}`;
    const tinyMlMeasured = settings.tinyMl === 'measured';
    this.boardKeys = tinyMlMeasured ? [...MEASURED_KEYS, 'tiny_ml'] : MEASURED_KEYS;
    const perBoard = settings.agg === 'each' ? settings.boards.flatMap((b) => this.boardKeys.map((k) => `${k}@${b}`)) : [];
    this.keys = [...new Set([...inner.keys, ...this.boardKeys, ...perBoard])];
    this.exactKeys = inner.exactKeys.filter((k) => !this.boardKeys.includes(k));
    this.info = {
      ...inner.info,
      boards: settings.boards,
      board_agg: settings.agg,
      ...(tinyMlMeasured && { tiny_ml: "measured: each board's flash and arena, the cost model's MACs" }),
      export_weights: `the candidate's ckpt/ when trained, else seeded random (seed ${settings.seed})`,
      calibration: `${settings.calibrationImages} seeded random-normal images (seed ${settings.seed + 1}; no dataset)`,
    };
  }

  exact(config: SubnetConfig, keys: readonly string[]): Record<string, number> {
    return this.inner.exact(config, keys);
  }

  useLogger(logger: Logger): void {
    this.inner.useLogger?.(logger);
  }

  async evaluate(requests: readonly EvalRequest[], onDone?: (index: number, outcome: EvalOutcome) => void): Promise<EvalOutcome[]> {
    const jobs: Promise<EvalOutcome>[] = new Array(requests.length);
    // Measuring starts as soon as the inner evaluator settles a candidate, while it works on the next ones.
    const start = (i: number, outcome: EvalOutcome): void => {
      jobs[i] ??= this.measured(requests[i], outcome).then((o) => {
        onDone?.(i, o);
        return o;
      });
    };
    let inner: EvalOutcome[];
    try {
      inner = await this.inner.evaluate(requests, start);
    } catch (err) {
      // Measurements under way still report through onDone; let them finish before the caller fails the rest.
      await Promise.allSettled(jobs.filter(Boolean));
      throw err;
    }
    inner.forEach((o, i) => start(i, o));
    return Promise.all(jobs);
  }

  private async measured(request: EvalRequest, outcome: EvalOutcome): Promise<EvalOutcome> {
    if (!outcome.ok) return outcome;
    let model: Uint8Array;
    let weights: string;
    try {
      ({ model, weights } = this.exportModel(request));
    } catch (err) {
      return { ok: false, reason: `int8 export: ${(err as Error).message}` };
    }
    const perBoard: Record<string, Record<string, number>> = {};
    const records: Record<string, unknown> = {};
    for (const board of this.settings.boards) {
      let m: Measurement;
      try {
        m = await this.measure(model, board);
      } catch (err) {
        return { ok: false, reason: `measurement on ${board}: ${(err as Error).message}` };
      }
      if (m.provenance.model === 'builtin') {
        return { ok: false, reason: `measurement on ${board}: ${m.provenance.board} measured its firmware's built-in model, not the candidate` };
      }
      if (m.ok) {
        perBoard[board] = { latency_ms: m.latency.median_ms, ram_kb: m.arena.bytes / 1024, flash_kb: m.flash_bytes / 1024, ...(m.energy_mj !== undefined && { energy_mj: m.energy_mj }) };
        records[board] = m;
      } else if (OVER_LIMIT.has(m.reason)) {
        const { source, ...known } = estimateRefused(model, m);
        perBoard[board] = known;
        records[board] = { ...m, estimated: { ...known, source } };
      } else {
        return { ok: false, reason: `measurement on ${board}: ${m.reason}: ${m.message}` };
      }
    }
    if (this.settings.tinyMl === 'measured') {
      const macs = costStats(this.space, request.config, this.cost, ['macs']).macs;
      for (const m of Object.values(perBoard)) m.tiny_ml = measuredTinyMl({ ram_kb: m.ram_kb, flash_kb: m.flash_kb }, macs, this.cost.tinyMl);
    }
    const stats: Stats = { ...outcome.stats, ...this.aggregate(perBoard) };
    if (typeof stats.tiny_ml === 'number') stats.tiny_ml_source = this.settings.tinyMl ?? 'cost';
    // One board: its Measurement as is; several: keyed by selector.
    stats.measurement = this.settings.boards.length === 1 ? records[this.settings.boards[0]] : records;
    stats.export = { weights, calibration: this.info.calibration };
    return { ok: true, stats };
  }

  /** Worst case over the boards; a key some board lacks (energy without a power model) is left out. */
  private aggregate(perBoard: Record<string, Record<string, number>>): Record<string, number> {
    const out: Record<string, number> = {};
    const boards = Object.keys(perBoard);
    for (const key of this.boardKeys) {
      const values = boards.map((b) => perBoard[b][key]);
      if (values.every((v) => v !== undefined)) out[key] = Math.max(...values);
      if (this.settings.agg === 'each') boards.forEach((b, i) => values[i] !== undefined && (out[`${key}@${b}`] = values[i]));
    }
    return out;
  }

  /** The candidate as int8 TFLite, written beside its stats so that it can be flashed or inspected later. */
  private exportModel(request: EvalRequest): { model: Uint8Array; weights: string } {
    const graph = realise(this.space, request.config, { resolution: this.cost.resolution, classes: this.cost.classes });
    const layout = paramLayout(graph);
    const ckpt = join(request.dir, 'ckpt');
    const trained = existsSync(join(ckpt, MANIFEST_FILE));
    const rng = new Prng(this.settings.seed);
    // Same draws as initParams(graph, seed), without creating TF.js variables.
    const values = trained ? readCheckpointValues(ckpt, layout) : layout.map((s) => initialValues(s, rng));
    const weights = new Map(layout.map((s, i) => [s.name, values[i]]));
    const ranges = calibrationRanges(graph, weights, normalImages(graph, this.settings.calibrationImages, this.settings.seed + 1));
    const model = exportTflite(graph, weights, { int8: { ranges, io: 'int8' } });
    mkdirSync(request.dir, { recursive: true });
    writeFileSync(join(request.dir, 'model.tflite'), model);
    return { model, weights: trained ? 'checkpoint ckpt/' : `seeded random (seed ${this.settings.seed})` };
  }
}
