import { exitCosts } from '../graph/exit-cost.ts';
import type { NetGraph } from '../graph/types.ts';
import { exportSpec } from './export-model.ts';
import type { ExportOptions } from './export-model.ts';
import type { ModelSpec, TensorSpec } from './model-spec.ts';
import { splitSegments } from './segments.ts';
import type { Segment } from './segments.ts';
import type { WeightMap } from './weights.ts';
import { writeTflite } from './write-model.ts';

export interface ManifestTensor {
  name: string;
  shape: number[];
  dtype: string;
  /** Present for int8 tensors: real = (q - zero_point) * scale. */
  scale?: number;
  zero_point?: number;
}

export interface SegmentManifest {
  format: 'cnas-eenn-segments';
  version: 1;
  resolution: number;
  classes: number;
  precision: 'float32' | 'int8';
  io: 'float' | 'int8';
  /** In the order a device runs them. */
  segments: { file: string; role: Segment['role']; exit: number; input: ManifestTensor; output: ManifestTensor; operators: number; bytes: number }[];
  exits: {
    exit: number;
    after_stage: number;
    final: boolean;
    pool: number;
    /** EDANAS confidence threshold where the space has one; null for flag-based spaces. */
    threshold: number | null;
    backbone_macs: number;
    classifier_macs: number;
    backbone_params: number;
    classifier_params: number;
    /** Files to run, in order, to get this exit's output from the network input. */
    run: string[];
  }[];
}

export interface SegmentExport {
  files: { file: string; bytes: Uint8Array }[];
  manifest: SegmentManifest;
}

function manifestTensor(t: TensorSpec): ManifestTensor {
  const q = t.type === 'int8' ? t.quant : undefined;
  return { name: t.name, shape: t.shape, dtype: t.type, ...(q && { scale: q.scale[0], zero_point: q.zeroPoint[0] }) };
}

/**
 * An early-exit network as separate models (see `splitSegments`) plus a manifest: segment order, each
 * segment's input and output tensor, and per exit its threshold, its costs (`exitCosts`) and the files that
 * compute it. With int8, one set of calibration ranges quantises every segment, so a segment's output and
 * the next segment's input carry the same scale and zero point and int8 data passes between them unchanged.
 */
export function exportSegments(graph: NetGraph, weights: WeightMap, options: ExportOptions = {}): SegmentExport {
  if (graph.exits.length < 2) throw new Error('segmented export needs an early-exit network (more than one exit)');
  const segments = splitSegments(graph);
  const built = segments.map((s) => {
    // Only heads end in logits, so only they get the optional SOFTMAX.
    const spec: ModelSpec = exportSpec(s.graph, weights, { ...options, softmax: options.softmax && s.role !== 'backbone' }, s.inputName);
    return { segment: s, spec, bytes: writeTflite(spec) };
  });
  const costs = exitCosts(graph);
  const backbone: string[] = [];
  const exits = graph.exits.map((e, k) => {
    if (!e.final) backbone.push(`segment_${k}.tflite`);
    const c = costs[k];
    return {
      exit: k,
      after_stage: e.afterStage,
      final: e.final,
      pool: e.pool,
      threshold: e.threshold ?? null,
      backbone_macs: c.backboneMacs,
      classifier_macs: c.classifierMacs,
      backbone_params: c.backboneParams,
      classifier_params: c.classifierParams,
      run: [...backbone, e.final ? 'final.tflite' : `exit_${k}.tflite`],
    };
  });
  const manifest: SegmentManifest = {
    format: 'cnas-eenn-segments',
    version: 1,
    resolution: graph.resolution,
    classes: graph.classes,
    precision: options.int8 ? 'int8' : 'float32',
    io: options.int8?.io ?? 'float',
    segments: built.map(({ segment, spec, bytes }) => ({
      file: `${segment.name}.tflite`,
      role: segment.role,
      exit: segment.exit,
      input: manifestTensor(spec.tensors[spec.inputs[0]]),
      output: manifestTensor(spec.tensors[spec.outputs[0]]),
      operators: spec.operators.length,
      bytes: bytes.length,
    })),
    exits,
  };
  return { files: built.map((b) => ({ file: `${b.segment.name}.tflite`, bytes: b.bytes })), manifest };
}
