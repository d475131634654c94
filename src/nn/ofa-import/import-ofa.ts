import type { SearchSpace } from '../../space/definition.ts';
import { supernetLayout } from '../supernet/layout.ts';
import { Supernet } from '../supernet/supernet.ts';
import { ofaTensorSpec, shapeFits, toOurLayout } from './ofa-keys.ts';
import { loadTorchCheckpoint, TorchTensor } from './torch-load.ts';
import type { PickleValue } from './unpickle.ts';

/** What the conversion reads of a checkpoint tensor; `TorchTensor` is one. */
export interface StateTensor {
  readonly shape: readonly number[];
  toFloat32(): Float32Array;
}

export interface OfaConversion {
  /** One array per `supernetLayout(space, classes).slots` entry, in that order: what `new Supernet` takes. */
  values: Float32Array[];
  /** Checkpoint keys no supernet tensor reads, worth a warning: another architecture, or extra state. */
  unused: string[];
  /** BatchNorm's `num_batches_tracked` counters, which the supernet does not keep. */
  ignored: string[];
}

export interface OfaImport {
  supernet: Supernet;
  unused: string[];
  ignored: string[];
}

const MAX_LISTED_PROBLEMS = 10;

/** The state dict of a checkpoint: OFA's files hold `{'state_dict': ...}`, a bare state dict is taken too. */
export function ofaStateDict(checkpoint: PickleValue): Map<string, TorchTensor> {
  const inner = checkpoint instanceof Map ? checkpoint.get('state_dict') : undefined;
  const dict = inner instanceof Map ? inner : checkpoint;
  if (!(dict instanceof Map)) throw new Error('checkpoint holds neither a state dict nor {"state_dict": ...}');
  const tensors = new Map<string, TorchTensor>();
  for (const [key, value] of dict) {
    if (typeof key !== 'string' || !(value instanceof TorchTensor)) throw new Error(`state dict entry ${String(key)} is not a tensor`);
    tensors.set(key, value);
  }
  return tensors;
}

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/**
 * Converts an OFA MobileNetV3 state dict to the values of our supernet for `space`: every tensor of the
 * supernet must be there with its shape (the classifier may have more classes, and its first `classes` rows
 * are taken); anything the supernet does not read is listed, not refused.
 */
export function convertOfaStateDict(stateDict: ReadonlyMap<string, StateTensor>, space: SearchSpace, classes: number): OfaConversion {
  const layout = supernetLayout(space, classes);
  const layers = new Map(layout.maxGraph.layers.map((l) => [l.name, l]));
  const used = new Set<string>();
  const problems: string[] = [];
  const values = layout.slots.map((slot) => {
    const layer = layers.get(slot.layer);
    if (!layer) throw new Error(`supernet tensor ${slot.name} belongs to no layer of the largest subnet`);
    const spec = ofaTensorSpec(slot, layer);
    const key = spec.keys.find((k) => stateDict.has(k));
    const tensor = key === undefined ? undefined : stateDict.get(key);
    if (key === undefined || tensor === undefined) {
      problems.push(`missing ${slot.name}: the checkpoint has none of ${spec.keys.join(', ')}`);
      return new Float32Array(0);
    }
    used.add(key);
    if (!shapeFits(tensor.shape, spec)) {
      const rows = spec.firstRows ? ' (or more rows)' : '';
      problems.push(`${key} has shape ${shapeText(tensor.shape)} but ${slot.name} needs ${shapeText(spec.torchShape)}${rows} in PyTorch layout (${shapeText(slot.shape)} here)`);
      return new Float32Array(0);
    }
    const size = spec.torchShape.reduce((a, b) => a * b, 1);
    // Row-major, so the classifier's first rows are the leading values.
    return toOurLayout(tensor.toFloat32().subarray(0, size), spec);
  });
  if (problems.length > 0) {
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
    if (problems.length > listed.length) listed.push(`... and ${problems.length - listed.length} more`);
    throw new Error(`the OFA checkpoint does not fit this supernet (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n  ${listed.join('\n  ')}`);
  }
  const rest = [...stateDict.keys()].filter((k) => !used.has(k));
  const counter = (k: string) => k === 'num_batches_tracked' || k.endsWith('.num_batches_tracked');
  return { values, unused: rest.filter((k) => !counter(k)), ignored: rest.filter(counter) };
}

/** Reads an OFA MobileNetV3 checkpoint (e.g. `ofa_mbv3_d234_e346_k357_w1.0`) as our supernet for `space`. */
export function importOfaCheckpoint(path: string, space: SearchSpace, classes: number): OfaImport {
  const { values, unused, ignored } = convertOfaStateDict(ofaStateDict(loadTorchCheckpoint(path)), space, classes);
  return { supernet: new Supernet(space, classes, (i) => values[i]), unused, ignored };
}
