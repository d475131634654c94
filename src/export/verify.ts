import * as tf from '@tensorflow/tfjs';
import { numel } from '../graph/types.ts';
import type { NetGraph } from '../graph/types.ts';
import { forward } from '../nn/model/forward.ts';
import type { NetParams } from '../nn/model/params.ts';
import type { SegmentManifest } from './export-segments.ts';
import type { QuantParams } from './model-spec.ts';
import { quantizeActivation } from './quant-math.ts';
import { readTflite } from './reader.ts';
import { loadRuntimeModel } from './tflite-runtime.ts';

/**
 * Checks of exported models in the reference TFLite runtime: float exports against the TF.js forward pass,
 * int8 exports against the float export.
 */

export interface FloatCheck {
  samples: number;
  /** Largest, over samples and outputs, of max|tflite - tfjs| / max|tfjs| (per sample and output). */
  maxRelError: number;
  perOutput: number[];
}

export interface AgreementCheck {
  samples: number;
  /** Fraction of (sample, output) pairs whose top-1 class is the same in both models. */
  agreement: number;
  perOutput: number[];
}

/**
 * Runs a .tflite on `n` NHWC samples (back to back) and returns each output for all samples, [n * size],
 * as float: int8 inputs are quantised and int8 outputs dequantised with the model's own parameters.
 */
export async function runTflite(bytes: Uint8Array, samples: Float32Array): Promise<Float32Array[]> {
  const g = readTflite(bytes).subgraphs[0];
  const model = await loadRuntimeModel(bytes);
  try {
    const inputQuant = g.tensors[g.inputs[0]].quant;
    const outputQuant = g.outputs.map((o) => (g.tensors[o].type === 'int8' ? g.tensors[o].quant : undefined));
    const size = model.inputs[0].shape.reduce((a, b) => a * b, 1);
    const n = samples.length / size;
    const outputs = model.outputs.map((o) => new Float32Array(n * o.shape.reduce((a, b) => a * b, 1)));
    for (let s = 0; s < n; s++) {
      const x = samples.subarray(s * size, (s + 1) * size);
      const input = model.inputs[0].dtype === 'int8' ? Int8Array.from(x, (v) => quantizeActivation(v, inputQuant as QuantParams)) : x;
      model.run([input]).forEach((y, k) => {
        const q = outputQuant[k];
        const real = q === undefined ? y : Float32Array.from(y, (v) => (v - q.zeroPoint[0]) * q.scale[0]);
        outputs[k].set(real, s * real.length);
      });
    }
    return outputs;
  } finally {
    model.dispose();
  }
}

function maxRelError(actual: Float32Array, expected: Float32Array, width: number): number {
  let worst = 0;
  for (let r = 0; r < expected.length; r += width) {
    let diff = 0;
    let scale = 0;
    for (let i = r; i < r + width; i++) {
      diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
      scale = Math.max(scale, Math.abs(expected[i]));
    }
    worst = Math.max(worst, scale > 0 ? diff / scale : diff);
  }
  return worst;
}

/** TF.js's forward pass (inference mode) on NHWC samples, each output [n * size]; softmax applied on request. */
export function tfjsOutputs(graph: NetGraph, params: NetParams, samples: Float32Array, softmax = false): Float32Array[] {
  const [h, w, c] = graph.tensors[graph.input];
  const n = samples.length / (h * w * c);
  return tf.tidy(() => forward(graph, params, tf.tensor4d(samples, [n, h, w, c]), { training: false }).map((t) => (softmax ? tf.softmax(t) : t).dataSync() as Float32Array));
}

/**
 * Runs the files of a segmented export as a device would, all the way down: each backbone segment feeds
 * the next and its exit head. Returns every exit's outputs for all samples, in exit order.
 */
export async function runSegments(files: ReadonlyMap<string, Uint8Array>, manifest: SegmentManifest, samples: Float32Array): Promise<Float32Array[]> {
  const exits: Float32Array[] = [];
  let feature = samples;
  for (const s of manifest.segments) {
    const bytes = files.get(s.file);
    if (bytes === undefined) throw new Error(`segment ${s.file} is missing`);
    const [out] = await runTflite(bytes, feature);
    if (s.role === 'backbone') feature = out;
    else exits[s.exit] = out;
  }
  return exits;
}

/**
 * Exported outputs against TF.js's forward pass on the same samples. The error is relative to each output's
 * largest magnitude per sample, so that logits near zero do not turn float rounding into huge ratios.
 */
export function compareOutputs(actual: readonly Float32Array[], expected: readonly Float32Array[], samples: number): FloatCheck {
  const perOutput = expected.map((e, k) => maxRelError(actual[k], e, e.length / samples));
  return { samples, maxRelError: Math.max(...perOutput), perOutput };
}

/** A float export against TF.js's forward pass (see `compareOutputs`). */
export async function checkFloatExport(bytes: Uint8Array, graph: NetGraph, params: NetParams, samples: Float32Array, options: { softmax?: boolean } = {}): Promise<FloatCheck> {
  const expected = tfjsOutputs(graph, params, samples, options.softmax);
  return compareOutputs(await runTflite(bytes, samples), expected, samples.length / numel(graph.tensors[graph.input]));
}

function argmaxAgreement(a: Float32Array, b: Float32Array, width: number): number {
  let same = 0;
  for (let r = 0; r < a.length; r += width) {
    let ia = r;
    let ib = r;
    for (let i = r + 1; i < r + width; i++) {
      if (a[i] > a[ia]) ia = i;
      if (b[i] > b[ib]) ib = i;
    }
    if (ia === ib) same++;
  }
  return same / (a.length / width);
}

/** Top-1 agreement of two sets of outputs for the same `samples` inputs (see `runTflite`, `runSegments`). */
export function compareTop1(reference: readonly Float32Array[], candidate: readonly Float32Array[], samples: number): AgreementCheck {
  const perOutput = reference.map((out, k) => argmaxAgreement(out, candidate[k], out.length / samples));
  return { samples, agreement: perOutput.reduce((s, v) => s + v, 0) / perOutput.length, perOutput };
}

/** Top-1 agreement of two exports of the same network (typically int8 against float) on the same samples. */
export async function top1Agreement(reference: Uint8Array, candidate: Uint8Array, samples: Float32Array): Promise<AgreementCheck> {
  const g = readTflite(reference).subgraphs[0];
  const n = samples.length / g.tensors[g.inputs[0]].shape.reduce((x, y) => x * y, 1);
  return compareTop1(await runTflite(reference, samples), await runTflite(candidate, samples), n);
}
