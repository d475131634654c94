import * as tf from '@tensorflow/tfjs';
import type { NetGraph } from '../../graph/types.ts';
import type { SubnetConfig } from '../../space/config.ts';
import { realise } from '../../space/realise.ts';
import { Prng } from '../../util/prng.ts';
import { forward } from '../model/forward.ts';
import { createParams, initialValues } from '../model/params.ts';
import type { NetParams } from '../model/params.ts';
import { batchTensors } from '../train/batch.ts';
import type { Batch } from '../train/batch.ts';
import { subnetParam } from './subnet-tensors.ts';
import type { Supernet } from './supernet.ts';

export interface MaterialiseOptions {
  /** For configs without `r`. */
  resolution?: number;
  /** Seeds the layers the supernet lacks (early-exit heads). */
  seed?: number;
}

/**
 * The static subnet of a config with weights inherited from the supernet (its own variables, free to
 * fine-tune). Layers the supernet does not have, such as early-exit heads, start from OFA's initialisation.
 * Running statistics are inherited too; recalibrate them with `recalibrateBatchNorm` before evaluating.
 */
export function materialise(sn: Supernet, config: SubnetConfig, options: MaterialiseOptions = {}): { graph: NetGraph; params: NetParams } {
  const graph = realise(sn.space, config, { resolution: options.resolution, classes: sn.classes });
  const rng = new Prng(options.seed ?? 0);
  const layers = new Map(graph.layers.map((l) => [l.name, l]));
  const params = createParams(graph, (slot) => {
    const layer = layers.get(slot.layer);
    if (layer?.part.kind === 'exit') return initialValues(slot, rng);
    return tf.tidy(() => subnetParam(sn, graph, slot, layer).dataSync() as Float32Array).slice();
  });
  return { graph, params };
}

/**
 * OFA's BN recalibration: the running statistics become the average of the batch statistics over the given
 * batches (a subnet's statistics differ from the supernet's). Uses training-mode passes with momentum
 * 1/(k+1) on batch k, which is exactly the cumulative average.
 */
export function recalibrateBatchNorm(graph: NetGraph, params: NetParams, batches: Iterable<Batch>, maxBatches: number): number {
  let k = 0;
  for (const batch of batches) {
    if (k >= maxBatches) break;
    tf.tidy(() => {
      const { images } = batchTensors(graph, batch);
      forward(graph, params, images, { training: true, bnMomentum: 1 / (k + 1) });
    });
    k++;
  }
  return k;
}
