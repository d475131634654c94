import { Batcher } from '../data/batcher.ts';
import { resizeBilinear } from '../data/bilinear.ts';
import { corrupt, floatsToBytes } from '../data/corruptions/index.ts';
import type { Dataset } from '../data/dataset.ts';
import type { NetGraph } from '../graph/types.ts';
import { Prng } from '../util/prng.ts';
import type { NetParams } from './model/params.ts';
import { evaluate } from './train/evaluate.ts';

export interface OodReport {
  clean_error: number;
  /** Error (%) per corruption and severity, with the per-corruption mean, as CNAS's `mCE2`. */
  errors: Record<string, Record<string, number>>;
  /** Mean over corruptions of the per-corruption mean error (unnormalised, as CNAS). */
  mce: number;
  images: number;
}

export interface OodOptions {
  corruptions: readonly string[];
  severities: readonly number[];
  batchSize: number;
  seed: number;
  /** Corrupted sets from elsewhere (the official CIFAR-10-C .npy files); generated in TypeScript if absent. */
  load?: (corruption: string, severity: number) => Dataset;
  onResult?: (corruption: string, severity: number, error: number) => void;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** The images at the network's resolution (as CNAS: Resize(res), then corrupt). */
function atResolution(d: Dataset, resolution: number): Dataset {
  if (d.height === resolution && d.width === resolution) return d;
  const per = d.height * d.width * 3;
  const images = new Uint8Array(d.size * resolution * resolution * 3);
  for (let i = 0; i < d.size; i++) {
    const resized = resizeBilinear(d.images.subarray(i * per, (i + 1) * per), d.height, d.width, 3, resolution, resolution);
    for (let j = 0; j < resized.length; j++) images[i * resized.length + j] = Math.min(255, Math.max(0, Math.round(resized[j])));
  }
  return { ...d, height: resolution, width: resolution, images };
}

/** Every image corrupted with its own seeded generator, so the set is the same on every run. */
function corrupted(d: Dataset, name: string, severity: number, seed: number): Dataset {
  const per = d.height * d.width * 3;
  const images = new Uint8Array(d.images.length);
  for (let i = 0; i < d.size; i++) {
    const x = Float32Array.from(d.images.subarray(i * per, (i + 1) * per), (v) => v / 255);
    images.set(floatsToBytes(corrupt(name, x, d.height, d.width, severity, new Prng(seed * 1_000_003 + i))), i * per);
  }
  return { ...d, images };
}

/**
 * Out-of-distribution error of a trained network (FlatNAS evaluates on CIFAR-10-C): top-1 error on the clean
 * set and on every corruption and severity, generated from the clean set at the network's resolution unless
 * `load` supplies the official corrupted sets.
 */
export function evaluateOod(graph: NetGraph, params: NetParams, clean: Dataset, o: OodOptions): OodReport {
  const base = atResolution(clean, graph.resolution);
  const error = (d: Dataset): number => {
    const batches = new Batcher(d, { batchSize: o.batchSize, shuffle: false, resolution: graph.resolution });
    return round2(100 - 100 * evaluate(graph, params, batches.epoch(0)).exits.at(-1)!.accuracy);
  };
  const errors: Record<string, Record<string, number>> = {};
  for (const name of o.corruptions) {
    const row: Record<string, number> = {};
    for (const severity of o.severities) {
      row[String(severity)] = error(o.load ? o.load(name, severity) : corrupted(base, name, severity, o.seed));
      o.onResult?.(name, severity, row[String(severity)]);
    }
    row.mean = round2(o.severities.reduce((s, v) => s + row[String(v)], 0) / o.severities.length);
    errors[name] = row;
  }
  const means = Object.values(errors).map((r) => r.mean);
  return { clean_error: error(base), errors, mce: round2(means.reduce((a, b) => a + b, 0) / Math.max(1, means.length)), images: base.size };
}
