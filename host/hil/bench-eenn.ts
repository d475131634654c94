import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Batcher } from '../../src/data/batcher.ts';
import { subset } from '../../src/data/dataset.ts';
import type { Dataset } from '../../src/data/dataset.ts';
import { calibrationRanges, exportTflite } from '../../src/export/export-model.ts';
import type { ExportOptions } from '../../src/export/export-model.ts';
import { exportSegments } from '../../src/export/export-segments.ts';
import { weightsFromParams } from '../../src/export/weights.ts';
import type { NetGraph } from '../../src/graph/types.ts';
import { eennLatency } from '../../src/measure/eenn-latency.ts';
import type { EennLatency, ExitLatency, SegmentLatency } from '../../src/measure/eenn-latency.ts';
import type { EennSampleSummary } from '../../src/measure/eenn-samples.ts';
import type { Measurement, MeasurementOk, Provenance } from '../../src/measure/measurement.ts';
import { selectBackend } from '../../src/nn/backend/backend.ts';
import { gridEpsilon } from '../../src/nn/exits/epsilon.ts';
import { headKind } from '../../src/nn/exits/heads.ts';
import { predictExits } from '../../src/nn/exits/predictions.ts';
import { cumulativeExits, exitOutcome, scoreMarginExits } from '../../src/nn/exits/rules.ts';
import type { ExitRule } from '../../src/nn/exits/stats.ts';
import { loadCheckpoint, MANIFEST_FILE } from '../../src/nn/model/checkpoint.ts';
import { disposeParams } from '../../src/nn/model/params.ts';
import type { NetParams } from '../../src/nn/model/params.ts';
import { trainingData } from '../../src/nn/training-data.ts';
import { parseOptionsLayer, resolveSearchOptions } from '../../src/search/search-options.ts';
import type { SearchOptions } from '../../src/search/search-options.ts';
import { validateConfig } from '../../src/space/config.ts';
import { ConfigError } from '../../src/space/errors.ts';
import { realise } from '../../src/space/realise.ts';
import { readJsonFile } from '../read-json.ts';
import { resolveSpaceFlags } from '../space-options.ts';
import { UsageError } from '../usage-error.ts';
import { openFleet } from './fleet.ts';
import { withMeasureTimeout } from './measure-timeout.ts';

export interface BenchEennFlags {
  /** The fleet's board (with --simulate or --hub), or ... */
  board?: string;
  /** ... a board on this serial port, measured directly (bench-eenn-on-port.ts). */
  port?: string;
  profile?: string;
  baud?: number;
  simulate?: boolean;
  hub?: string;
  token?: string;
  /** Default: the search's (run.json). */
  dataset?: string;
  data?: string;
  /** Validation images the exit ratios are counted on (the first ones). */
  samples: number;
  measureTimeoutS: number;
}

export const ON_DEVICE_INFERENCE = "per-sample on-device early-exit inference: not supported by this board's runner";

/** Per-sample early-exit inference on a board (`--port` with firmware that has EE_INFER). */
export interface OnDeviceEenn extends EennSampleSummary {
  real_backend: boolean;
  backend: string;
  /** Whether the exits taken and the timings say anything about a board: not for the host build's stand-in. */
  meaningful: boolean;
  note: string;
  /** The arena of every slot (segment_0, exit_0, ..., final) allocated side by side, and their sum. */
  arena_bytes: number;
  slot_arena_bytes: number[];
}
export interface EennBenchReport extends EennLatency {
  net: string;
  board: { selector: string } & Omit<Provenance, 'settings' | 'time'>;
  simulated: boolean;
  weights: string;
  export: { precision: 'int8'; io: 'int8'; calibration: string };
  exit_rule: { rule: ExitRule; epsilon: number[]; source: string };
  data: { dataset: string; split: 'validation'; samples: number; model: string; accuracy: number };
  segments: (SegmentLatency & { macs: number })[];
  exits: (ExitLatency & { accuracy: number })[];
  /** Backbone and final head as one model without exit heads: what the network costs without early exits. */
  full_network: { latency_ms: number; arena_bytes: number; flash_bytes: number; macs: number };
  on_device_inference: string;
  /** Present when the board ran the network per sample itself. */
  on_device?: OnDeviceEenn;
}

/** Samples used to calibrate the int8 export (the first validation images). */
const CALIBRATION_IMAGES = 32;

export interface EennNet {
  graph: NetGraph;
  options: SearchOptions;
  weights: string;
  stats: Record<string, unknown>;
}

/** A post-search net folder with trained weights whose network has more than one exit; anything else is bad input. */
export function loadEennNet(dir: string, flags: BenchEennFlags): EennNet {
  if (!existsSync(dir)) throw new UsageError(`${dir}: no such directory`);
  if (!existsSync(join(dir, 'net.subnet'))) throw new UsageError(`${dir}: no net.subnet here; give a folder made by cnas post-search`);
  const saved = existsSync(join(dir, 'run.json')) ? parseOptionsLayer(readJsonFile(join(dir, 'run.json')), join(dir, 'run.json')) : {};
  const options = resolveSearchOptions(saved, { ...(flags.dataset && { dataset: flags.dataset }), ...(flags.data && { data: flags.data }) });
  const space = resolveSpaceFlags({ space: options.search_space, width: options.width_mult, spaceFile: options.space_file, lr: options.lr, ur: options.ur, rstep: options.rstep });
  let graph: NetGraph;
  try {
    const config = validateConfig(space, readJsonFile(join(dir, 'net.subnet')), 'any');
    graph = realise(space, config, { resolution: config.r ?? options.lr, classes: options.n_classes });
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`${join(dir, 'net.subnet')}: ${err.message}`);
    throw err;
  }
  if (graph.exits.length < 2) throw new UsageError(`${dir}: not an early-exit network (${options.search_space}, one exit); bench-eenn needs an eemobilenetv3 or cbnmobilenetv3 net with at least one early exit`);
  const weights = ['trained', 'ckpt'].find((w) => existsSync(join(dir, w, MANIFEST_FILE)));
  if (weights === undefined) throw new UsageError(`${dir}: no trained/ or ckpt/ weights; exit ratios need a trained network (cnas train ${dir})`);
  const stats = existsSync(join(dir, 'net.stats')) ? (JSON.parse(readFileSync(join(dir, 'net.stats'), 'utf8')) as Record<string, unknown>) : {};
  return { graph, options, weights: `${weights}/`, stats };
}

/**
 * The rule and thresholds the network was trained with: those its exit training stored in net.stats; else
 * EDANAS's config thresholds `t`, or NACHOS's default grid point for confidence heads (the tuned thresholds of
 * a bernulli training are only in net.stats).
 */
export function exitRule(net: EennNet): { rule: ExitRule; epsilon: number[]; source: string } {
  const { epsilon, cumulative_threshold } = net.stats;
  const exits = net.graph.exits.length;
  if (Array.isArray(epsilon) && epsilon.length === exits && epsilon.every((e) => typeof e === 'number')) {
    return { rule: cumulative_threshold === true ? 'cumulative' : 'score_margin', epsilon: epsilon as number[], source: 'net.stats (the exit training of the search)' };
  }
  if (headKind(net.graph) === 'confidence') return { rule: 'cumulative', epsilon: gridEpsilon(0.5, exits), source: 'NACHOS default grid point 0.5 (net.stats has no tuned epsilon)' };
  return { rule: 'score_margin', epsilon: net.graph.exits.map((e) => (e.final ? 1 : e.threshold ?? 1)), source: "the config's thresholds t" };
}

export function validationSet(net: EennNet, samples: number): Dataset {
  const o = net.options;
  let validation: Dataset;
  try {
    ({ validation } = trainingData({ dataset: o.dataset, dir: o.data, valSplit: o.val_split, syntheticSize: o.synthetic_size, classes: o.n_classes, seed: o.seed }));
  } catch (err) {
    throw new UsageError(`--dataset ${o.dataset}: ${(err as Error).message}`);
  }
  return validation.size > samples ? subset(validation, Array.from({ length: samples }, (_, i) => i)) : validation;
}

/** Where samples leave with the trained exits (float model on the host), and how accurate each exit is. */
function exitRatios(graph: NetGraph, params: NetParams, data: Batcher, rule: ExitRule, epsilon: readonly number[]) {
  const p = predictExits(graph, params, data.epoch(0));
  const taken = rule === 'cumulative' ? cumulativeExits(p.confidences, epsilon) : scoreMarginExits(p.margins, epsilon);
  return { taken, ...exitOutcome(taken, p.correct) };
}

/** The validation images as the board's int8 input: quantised with segment_0's input scale and zero point. */
export function* int8Inputs(validation: Dataset, resolution: number, input: { scale?: number; zero_point?: number }): Generator<Uint8Array> {
  const { scale, zero_point: zero = 0 } = input;
  if (scale === undefined) throw new Error('segment_0 has no int8 input to quantise the images for');
  const size = resolution * resolution * 3;
  for (const batch of new Batcher(validation, { batchSize: 100, shuffle: false, resolution }).epoch(0)) {
    for (let n = 0; n < batch.size; n++) {
      const q = new Int8Array(size);
      for (let i = 0; i < size; i++) q[i] = Math.max(-128, Math.min(127, Math.round(batch.images[n * size + i] / scale + zero)));
      yield new Uint8Array(q.buffer);
    }
  }
}

/** The network without its exit heads: backbone and final head, as a device without early exits would run it. */
function withoutExits(graph: NetGraph): NetGraph {
  return { ...graph, layers: graph.layers.filter((l) => l.part.kind !== 'exit'), exits: graph.exits.filter((e) => e.final) };
}

export type Prepared = ReturnType<typeof predictAndExport>;

/** Exit ratios on the validation images, then the int8 segments and the network without exits, calibrated on those images. */
export function predictAndExport(dir: string, net: EennNet, rule: { rule: ExitRule; epsilon: number[] }, validation: Dataset) {
  const { graph } = net;
  let params: NetParams;
  try {
    params = loadCheckpoint(join(dir, net.weights), graph);
  } catch (err) {
    throw new UsageError(`${join(dir, net.weights)}: ${(err as Error).message}`);
  }
  try {
    const outcome = exitRatios(graph, params, new Batcher(validation, { batchSize: 100, shuffle: false, resolution: graph.resolution }), rule.rule, rule.epsilon);
    const calibration = new Batcher(validation, { batchSize: CALIBRATION_IMAGES, shuffle: false, resolution: graph.resolution }).epoch(0).next().value!;
    const weights = weightsFromParams(params);
    const options: ExportOptions = { int8: { ranges: calibrationRanges(graph, weights, calibration.images), io: 'int8' } };
    return { outcome, exported: exportSegments(graph, weights, options), full: exportTflite(withoutExits(graph), weights, options) };
  } finally {
    disposeParams(params);
  }
}

/** The report's head: what was measured, with which rule, on which data. */
export function reportHead(dir: string, net: EennNet, rule: EennBenchReport['exit_rule'], validation: Dataset, prepared: Prepared) {
  return {
    net: dir,
    weights: net.weights,
    export: { precision: 'int8' as const, io: 'int8' as const, calibration: `the first ${Math.min(CALIBRATION_IMAGES, validation.size)} validation images` },
    exit_rule: rule,
    data: { dataset: net.options.dataset, split: 'validation' as const, samples: validation.size, model: 'float TF.js model of the trained weights, on the host', accuracy: prepared.outcome.accuracy },
  };
}

export type MeasureModel = (file: string, bytes: Uint8Array) => Promise<MeasurementOk>;

/**
 * Every segment and the network without exits measured one at a time, combined with the host's exit ratios into
 * per-exit cumulative latency, expected latency and the latency distribution.
 */
export async function perSegmentReport(
  head: ReturnType<typeof reportHead>,
  prepared: Prepared,
  selector: string,
  measured: MeasureModel,
  onDeviceInference: string,
): Promise<EennBenchReport> {
  const { outcome, exported, full } = prepared;
  const segments: EennBenchReport['segments'] = [];
  let provenance: Provenance | undefined;
  for (const [i, s] of exported.manifest.segments.entries()) {
    const m = await measured(s.file, exported.files[i].bytes);
    provenance ??= m.provenance;
    segments.push({ file: s.file, role: s.role, exit: s.exit, latency_ms: m.latency.median_ms, arena_bytes: m.arena.bytes, flash_bytes: m.flash_bytes, model_bytes: s.bytes, macs: m.macs });
  }
  const whole = await measured('the network without exits', full);
  const latency = eennLatency(segments, outcome.ratios);
  const { board: name, profile, agent, firmware, runtime, simulated } = provenance!;
  const board = { board: name, profile, agent, firmware, runtime, simulated };
  return {
    ...head,
    board: { selector, ...board },
    simulated: board.simulated,
    ...latency,
    segments,
    exits: latency.exits.map((e) => ({ ...e, accuracy: outcome.branchScores[e.exit] })),
    full_network: { latency_ms: whole.latency.median_ms, arena_bytes: whole.arena.bytes, flash_bytes: whole.flash_bytes, macs: whole.macs },
    on_device_inference: onDeviceInference,
  };
}

/**
 * The library call behind `cnas bench-eenn --board`: exports a trained early-exit network to int8 segments,
 * measures every segment (and the network without exits) on one board through the fleet the search uses, counts
 * the exit ratios on validation images with the trained exits and the network's exit rule, and combines them into
 * per-exit cumulative latency, expected latency and the latency distribution. A fleet board runs one model at a
 * time, so there is no per-sample early-exit inference here (`--port` has it, see bench-eenn-on-port.ts).
 */
export async function benchEenn(dir: string, flags: BenchEennFlags, logger: Logger): Promise<EennBenchReport> {
  if (flags.board === undefined) throw new UsageError('give --board <selector> (with --simulate or --hub) or --port <serial device>');
  if (flags.profile !== undefined || flags.baud !== undefined) throw new UsageError('--profile and --baud go with --port');
  const selector = flags.board;
  const net = loadEennNet(dir, flags);
  const rule = exitRule(net);
  // The fleet first: an unknown board is refused before any work.
  const fleet = await openFleet({ board: [selector], simulate: flags.simulate === true, hub: flags.hub, token: flags.token }, logger);
  try {
    const measure = withMeasureTimeout((model, board) => fleet.measure(model, board), flags.measureTimeoutS);
    const validation = validationSet(net, flags.samples);
    await selectBackend(net.options.backend);
    const prepared = predictAndExport(dir, net, rule, validation);
    const measured: MeasureModel = async (file, bytes) => {
      const m: Measurement = await measure(bytes, selector);
      if (!m.ok) throw new UsageError(`${file} on ${selector}: ${m.reason}: ${m.message}`);
      return m;
    };
    return await perSegmentReport(reportHead(dir, net, rule, validation, prepared), prepared, selector, measured, ON_DEVICE_INFERENCE);
  } finally {
    await fleet.close();
  }
}
