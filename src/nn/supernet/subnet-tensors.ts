import * as tf from '@tensorflow/tfjs';
import type { Rank, Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs';
import type { Layer, NetGraph } from '../../graph/types.ts';
import { tensorsFor } from '../model/params.ts';
import type { NetTensors, ParamSlot } from '../model/params.ts';
import { transformName } from './layout.ts';
import type { Supernet } from './supernet.ts';

/** Supernet name of a subnet layer: static block indices become supernet slots. */
export function supernetLayerName(graph: NetGraph, layer: string): string {
  const m = /^blocks\.(\d+)\./.exec(layer);
  if (!m) return layer;
  const block = graph.blocks[Number(m[1])];
  return `blocks.${block.slot}.${layer.slice(m[0].length)}`;
}

/**
 * OFA's elastic kernel (transform mode 1): from the largest kernel, repeatedly take the centre of the next
 * smaller size and multiply each channel's flattened filter by the learned transform (v * M^T).
 */
function transformKernel(sn: Supernet, superLayer: string, kernel: Tensor4D, target: number): Tensor4D {
  const sizes = sn.space.kernels.slice().sort((a, b) => b - a);
  let w = kernel;
  for (let i = 0; sizes[i] > target; i++) {
    const from = sizes[i];
    const to = sizes[i + 1];
    const channels = w.shape[2];
    const offset = (from - to) / 2;
    const centre = tf.slice(w, [offset, offset, 0, 0], [to, to, channels, 1]);
    const matrix = sn.tensor(transformName(superLayer, from, to));
    if (!matrix) throw new Error(`supernet has no ${from}->${to} kernel transform for ${superLayer}`);
    const rows = tf.transpose(tf.reshape<Rank.R2>(centre, [to * to, channels]));
    const mixed = tf.matMul(rows, matrix as Tensor2D, false, true);
    w = tf.reshape(tf.transpose(mixed), [to, to, channels, 1]);
  }
  return w;
}

/** The value of one subnet parameter of `layer`, computed from the supernet's variables (differentiable). */
export function subnetParam(sn: Supernet, graph: NetGraph, slot: ParamSlot, layer: Layer | undefined): Tensor {
  const superLayer = supernetLayerName(graph, slot.layer);
  const source = sn.tensor(`${superLayer}.${slot.role}`);
  if (!source) throw new Error(`the supernet has no tensor ${superLayer}.${slot.role} for ${slot.name}: the config does not fit this supernet`);
  if (source.shape.some((d, i) => slot.shape[i] > d)) {
    throw new Error(`${slot.name} needs shape [${slot.shape.join(', ')}] but the supernet's ${superLayer}.${slot.role} is [${source.shape.join(', ')}]: the config does not fit this supernet`);
  }
  const [k] = source.shape as number[];
  if (slot.role === 'weight' && layer?.kind === 'conv' && layer.groups !== 1 && layer.kernel < k) {
    const channels = tf.slice(source as Tensor4D, [0, 0, 0, 0], [k, k, slot.shape[2], 1]);
    return transformKernel(sn, superLayer, channels, layer.kernel);
  }
  if (tf.util.arraysEqual(source.shape, slot.shape)) return source;
  return tf.slice(source, new Array<number>(slot.shape.length).fill(0), slot.shape);
}

/** Every parameter of a subnet as slices of the supernet, for a forward pass whose gradient trains the supernet. */
export function subnetTensors(sn: Supernet, graph: NetGraph): NetTensors {
  const layers = new Map(graph.layers.map((l) => [l.name, l]));
  return tensorsFor(graph, (slot) => subnetParam(sn, graph, slot, layers.get(slot.layer)));
}
