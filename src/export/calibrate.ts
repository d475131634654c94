import { FloatReference } from './float-reference.ts';
import { elementCount } from './model-spec.ts';
import type { ModelSpec } from './model-spec.ts';

/** Observed real range of one activation tensor. */
export interface TensorRange {
  min: number;
  max: number;
}

export interface CalibrationOptions {
  /** `minmax` (default) keeps the extremes; `percentile` clips outliers to the given percentile. */
  method?: 'minmax' | 'percentile';
  /** Two-sided: 99.99 keeps the range between the 0.01th and the 99.99th percentile (default 99.99). */
  percentile?: number;
}

/** Values kept per tensor for the percentile method; enough for the 99.99th percentile to move by few samples. */
const PERCENTILE_SAMPLE_CAP = 1 << 18;

class RangeStats {
  min = Infinity;
  max = -Infinity;
  readonly kept: number[] = [];

  add(values: Float32Array, keepEvery: number | undefined): void {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
    }
    if (keepEvery !== undefined) for (let i = 0; i < values.length; i += keepEvery) this.kept.push(values[i]);
  }

  range(percentile: number | undefined): TensorRange {
    if (percentile === undefined || this.kept.length === 0) return { min: this.min, max: this.max };
    const sorted = Float64Array.from(this.kept).sort();
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
    return { min: Math.max(this.min, at(1 - percentile / 100)), max: Math.min(this.max, at(percentile / 100)) };
  }
}

/**
 * Activation ranges of a float model over calibration samples, keyed by tensor name: every sample (NHWC,
 * `inputs` holds them back to back) runs through the float reference, which reports every tensor.
 */
export function calibrate(model: ModelSpec, inputs: Float32Array, options: CalibrationOptions = {}): Map<string, TensorRange> {
  const sampleSize = elementCount(model.tensors[model.inputs[0]].shape);
  const count = inputs.length / sampleSize;
  if (!Number.isInteger(count) || count < 1) throw new Error(`calibration: ${inputs.length} values are not a whole number of ${sampleSize}-value samples`);
  const percentile = options.method === 'percentile' ? (options.percentile ?? 99.99) : undefined;
  if (percentile !== undefined && !(percentile > 50 && percentile <= 100)) throw new Error(`calibration: percentile must be in (50, 100], got ${percentile}`);
  const reference = new FloatReference(model);
  const stats = new Map<number, RangeStats>();
  for (let s = 0; s < count; s++) {
    reference.run(inputs.subarray(s * sampleSize, (s + 1) * sampleSize), (tensor, values) => {
      let st = stats.get(tensor);
      if (st === undefined) stats.set(tensor, (st = new RangeStats()));
      const keepEvery = percentile === undefined ? undefined : Math.max(1, Math.ceil((values.length * count) / PERCENTILE_SAMPLE_CAP));
      st.add(values, keepEvery);
    });
  }
  return new Map([...stats].map(([tensor, st]) => [model.tensors[tensor].name, st.range(percentile)]));
}
