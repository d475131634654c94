import * as tf from '@tensorflow/tfjs';
import type { Variable } from '@tensorflow/tfjs';
import type { SearchSpace } from '../../space/definition.ts';
import { Prng } from '../../util/prng.ts';
import { graphSummary, readCheckpointManifest, readCheckpointValues, writeCheckpoint } from '../model/checkpoint.ts';
import { initialValues } from '../model/params.ts';
import type { ParamTensor } from '../model/params.ts';
import { supernetLayout } from './layout.ts';
import type { SupernetLayout } from './layout.ts';

/** What a supernet file says about the space it belongs to; loading refuses a file for another space. */
export interface SupernetIdentity {
  space: string;
  width_mult: number;
  base_widths: number[];
  depths: number[];
  kernels: number[];
  expands: number[];
  classes: number;
}

export function supernetIdentity(space: SearchSpace, classes: number): SupernetIdentity {
  return { space: 'ofa-mobilenetv3', width_mult: space.widthMult, base_widths: space.baseWidths, depths: space.depths, kernels: space.kernels, expands: space.expands, classes };
}

/**
 * OFA's weight-sharing MobileNetV3 in TF.js: the tensors of the largest subnet plus the kernel transforms,
 * from which every subnet of the space takes its weights (first channels, centre kernels).
 */
export class Supernet {
  readonly layout: SupernetLayout;
  readonly tensors: ParamTensor[];
  private readonly byName: Map<string, Variable>;

  constructor(
    readonly space: SearchSpace,
    readonly classes: number,
    values: (index: number) => Float32Array,
  ) {
    this.layout = supernetLayout(space, classes);
    this.tensors = this.layout.slots.map((s, i) => ({ ...s, variable: tf.tidy(() => tf.variable(tf.tensor(values(i), s.shape, 'float32'), s.trainable)) }));
    this.byName = new Map(this.tensors.map((t) => [t.name, t.variable]));
  }

  /** A supernet with OFA's initialisation; the same seed gives the same weights on any machine. */
  static create(space: SearchSpace, classes: number, seed: number): Supernet {
    const rng = new Prng(seed);
    const slots = supernetLayout(space, classes).slots;
    return new Supernet(space, classes, (i) => initialValues(slots[i], rng));
  }

  /** Loads a supernet saved by `save`, refusing one trained for another space or class count. */
  static load(dir: string, space: SearchSpace, classes: number): Supernet {
    const manifest = readCheckpointManifest(dir);
    const expected = supernetIdentity(space, classes);
    if (manifest.supernet === undefined) throw new Error(`${dir} holds a network checkpoint, not a supernet`);
    for (const [key, value] of Object.entries(expected)) {
      if (JSON.stringify(manifest.supernet[key]) !== JSON.stringify(value)) {
        throw new Error(`supernet ${dir} was trained for another space: ${key} ${JSON.stringify(manifest.supernet[key])} there, ${JSON.stringify(value)} here`);
      }
    }
    const values = readCheckpointValues(dir, supernetLayout(space, classes).slots);
    return new Supernet(space, classes, (i) => values[i]);
  }

  save(dir: string): void {
    writeCheckpoint(dir, graphSummary(this.layout.maxGraph), this.tensors, { supernet: supernetIdentity(this.space, this.classes) });
  }

  tensor(name: string): Variable | undefined {
    return this.byName.get(name);
  }

  dispose(): void {
    for (const t of this.tensors) t.variable.dispose();
  }
}
