import type { NetGraph } from '../graph/types.ts';
import { buildFloatModel } from './build-float.ts';
import { calibrate } from './calibrate.ts';
import type { CalibrationOptions, TensorRange } from './calibrate.ts';
import type { ModelSpec } from './model-spec.ts';
import { quantizeModel } from './quantize.ts';
import type { QuantizeOptions } from './quantize.ts';
import type { WeightMap } from './weights.ts';
import { writeTflite } from './write-model.ts';

export interface Int8Options extends QuantizeOptions {
  /** Activation ranges by tensor name, from `calibrationRanges`. */
  ranges: ReadonlyMap<string, TensorRange>;
}

export interface ExportOptions {
  /** SOFTMAX on every output (default: logits). */
  softmax?: boolean;
  /** Post-training int8 quantisation; float32 when absent. */
  int8?: Int8Options;
}

function describe(graph: NetGraph, options: ExportOptions): string {
  const precision = options.int8 ? `int8 (${options.int8.io} I/O)` : 'float32';
  const exits = graph.exits.length > 1 ? `, ${graph.exits.length} exits` : '';
  return `cnas export: ${graph.resolution} px, ${graph.classes} classes${exits}, ${precision}`;
}

/** The model as plain data, before writing (what `exportTflite` writes; exposed for inspection and tests). */
export function exportSpec(graph: NetGraph, weights: WeightMap, options: ExportOptions = {}, inputName?: string): ModelSpec {
  const float = buildFloatModel(graph, weights, { softmax: options.softmax, description: describe(graph, options), inputName });
  return options.int8 ? quantizeModel(float, options.int8.ranges, options.int8) : float;
}

/**
 * The .tflite bytes of a NetGraph with its weights: float32, or int8 with the given calibration ranges. An
 * early-exit network becomes one model whose outputs are all exits, in `graph.exits` order.
 */
export function exportTflite(graph: NetGraph, weights: WeightMap, options: ExportOptions = {}): Uint8Array {
  return writeTflite(exportSpec(graph, weights, options));
}

/**
 * Activation ranges for int8 export: the float model runs on the calibration samples (NHWC, back to back)
 * in the float reference. Ranges are keyed by tensor name, which does not depend on how the network is cut,
 * so the same ranges serve the whole model and its early-exit segments.
 */
export function calibrationRanges(graph: NetGraph, weights: WeightMap, samples: Float32Array, options: CalibrationOptions = {}): Map<string, TensorRange> {
  return calibrate(buildFloatModel(graph, weights), samples, options);
}
