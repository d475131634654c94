import { writeFileAtomic } from '../../util/atomic-write.ts';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { NetGraph } from '../../graph/types.ts';
import { createParams, paramLayout } from './params.ts';
import type { NetParams, ParamSlot } from './params.ts';

export const MANIFEST_FILE = 'manifest.json';
export const WEIGHTS_FILE = 'weights.bin';

const FORMAT = 'cnas-weights';
const VERSION = 1;
const BYTES_PER_FLOAT = 4;

export interface ManifestTensor {
  name: string;
  shape: number[];
  dtype: 'float32';
  /** Byte offset in weights.bin. */
  offset: number;
  /** Byte length in weights.bin. */
  length: number;
}

/** What network the weights belong to; `hash` covers the parameter names and shapes, which decide loading. */
export interface GraphSummary {
  resolution: number;
  classes: number;
  layers: number;
  hash: string;
}

export interface Manifest {
  format: typeof FORMAT;
  version: typeof VERSION;
  /** Set for supernets: the space they were trained for. */
  supernet?: Record<string, unknown>;
  graph: GraphSummary;
  tensors: ManifestTensor[];
  /** SHA-256 of weights.bin: tells a corrupt file, or one left from another save, from the right one. */
  sha256: string;
}

function layoutHash(layout: readonly ParamSlot[]): string {
  const hash = createHash('sha256');
  for (const s of layout) hash.update(`${s.name}:${s.shape.join('x')};`);
  return hash.digest('hex');
}

export function graphSummary(graph: NetGraph): GraphSummary {
  return { resolution: graph.resolution, classes: graph.classes, layers: graph.layers.length, hash: layoutHash(paramLayout(graph)) };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Writes tensors to `dir`: `weights.bin`, little-endian float32 in the given order, then `manifest.json`. Each
 * is written atomically; the manifest's checksum ties the two together, so a save interrupted between them
 * is refused on loading rather than mixed. `extra` goes into the manifest as is (what the file is for).
 */
export function writeCheckpoint(dir: string, summary: GraphSummary, tensors: readonly { name: string; shape: number[]; variable: tf.Tensor }[], extra: Record<string, unknown> = {}): void {
  const total = tensors.reduce((sum, t) => sum + tf.util.sizeFromShape(t.shape), 0);
  const bytes = new Uint8Array(total * BYTES_PER_FLOAT);
  const view = new DataView(bytes.buffer);
  const entries: ManifestTensor[] = [];
  let offset = 0;
  for (const { name, shape, variable } of tensors) {
    const values = variable.dataSync();
    for (let i = 0; i < values.length; i++) view.setFloat32(offset + i * BYTES_PER_FLOAT, values[i], true);
    const length = values.length * BYTES_PER_FLOAT;
    entries.push({ name, shape, dtype: 'float32', offset, length });
    offset += length;
  }
  const manifest: Manifest = { format: FORMAT, version: VERSION, ...extra, graph: summary, tensors: entries, sha256: sha256(bytes) };
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, WEIGHTS_FILE), bytes);
  writeFileAtomic(join(dir, MANIFEST_FILE), new TextEncoder().encode(formatManifest(manifest)));
}

/** Saves every parameter tensor of a network (running statistics included). */
export function saveCheckpoint(dir: string, graph: NetGraph, params: NetParams): void {
  const layout = paramLayout(graph);
  const fits =
    layout.length === params.tensors.length &&
    layout.every((s, i) => s.name === params.tensors[i].name && tf.util.arraysEqual(s.shape, params.tensors[i].variable.shape));
  if (!fits) throw new Error('saveCheckpoint: the parameters do not belong to this network');
  writeCheckpoint(dir, graphSummary(graph), params.tensors);
}

/** JSON with one tensor per line: readable, and a diff of two manifests shows the tensors that differ. */
function formatManifest(manifest: Manifest): string {
  const { tensors, ...head } = manifest;
  return `${JSON.stringify(head).slice(0, -1)},"tensors":[\n${tensors.map((t) => JSON.stringify(t)).join(',\n')}\n]}\n`;
}

function readManifest(path: string): Manifest {
  if (!existsSync(path)) throw new Error(`checkpoint manifest ${path} does not exist`);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch (error) {
    throw new Error(`checkpoint manifest ${path} is not valid JSON (${(error as Error).message})`);
  }
  if (manifest?.format !== FORMAT || manifest.version !== VERSION || !Array.isArray(manifest.tensors)) {
    throw new Error(`${path} is not a ${FORMAT} version ${VERSION} manifest`);
  }
  return manifest;
}

const describeShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** Refuses a manifest whose tensors are not exactly the network's, naming the first that differs. */
function checkLayout(path: string, manifest: Manifest, layout: readonly ParamSlot[]): void {
  for (let i = 0; i < Math.max(layout.length, manifest.tensors.length); i++) {
    const expected = layout[i];
    const stored = manifest.tensors[i];
    if (expected?.name !== stored?.name) {
      const describe = (t: { name: string; shape: number[] } | undefined) => (t ? `${t.name} ${describeShape(t.shape)}` : 'nothing');
      throw new Error(`checkpoint ${path} is for another network: tensor #${i} is ${describe(stored)} in the checkpoint, ${describe(expected)} in the network`);
    }
    if (!tf.util.arraysEqual(expected.shape, stored.shape)) {
      throw new Error(
        `checkpoint ${path} is for another network: tensor ${expected.name} has shape ${describeShape(stored.shape)} in the checkpoint, ${describeShape(expected.shape)} in the network`,
      );
    }
    if (stored.dtype !== 'float32' || stored.length !== tf.util.sizeFromShape(stored.shape) * BYTES_PER_FLOAT) {
      throw new Error(`checkpoint ${path}: tensor ${stored.name} is not ${describeShape(stored.shape)} float32 (dtype ${stored.dtype}, ${stored.length} bytes)`);
    }
  }
}

function readWeights(path: string, manifest: Manifest): Uint8Array {
  if (!existsSync(path)) throw new Error(`checkpoint weights ${path} does not exist`);
  const bytes = readFileSync(path);
  const expected = manifest.tensors.reduce((end, t) => Math.max(end, t.offset + t.length), 0);
  if (bytes.length !== expected) {
    const what = bytes.length < expected ? 'truncated' : 'longer than its manifest says';
    throw new Error(`checkpoint weights ${path} is ${what}: ${bytes.length} bytes, the manifest describes ${expected}`);
  }
  if (sha256(bytes) !== manifest.sha256) throw new Error(`checkpoint weights ${path} is corrupt: its SHA-256 does not match the manifest`);
  return bytes;
}

/** The manifest of a checkpoint directory, checked for format; throws naming the file. */
export function readCheckpointManifest(dir: string): Manifest {
  return readManifest(join(dir, MANIFEST_FILE));
}

/**
 * The values of a checkpoint whose tensors must be exactly `layout` (names and shapes, in order), one
 * Float32Array per tensor. Throws an Error naming the file and the problem: another network's tensors, a
 * truncated or corrupt weights.bin.
 */
export function readCheckpointValues(dir: string, layout: readonly ParamSlot[]): Float32Array[] {
  const manifestPath = join(dir, MANIFEST_FILE);
  const manifest = readManifest(manifestPath);
  checkLayout(manifestPath, manifest, layout);
  const bytes = readWeights(join(dir, WEIGHTS_FILE), manifest);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return manifest.tensors.slice(0, layout.length).map(({ offset, length }) => {
    const values = new Float32Array(length / BYTES_PER_FLOAT);
    for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(offset + i * BYTES_PER_FLOAT, true);
    return values;
  });
}

/**
 * Loads parameters saved by `saveCheckpoint` for `graph`. The checkpoint must hold exactly the network's
 * tensors with the same shapes; the resolution may differ, since no weight depends on it.
 */
export function loadCheckpoint(dir: string, graph: NetGraph): NetParams {
  const values = readCheckpointValues(dir, paramLayout(graph));
  return createParams(graph, (_slot, index) => values[index]);
}
