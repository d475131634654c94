import type { NetGraph } from '../../graph/types.ts';
import type { SubnetConfig } from '../../space/config.ts';
import type { SearchSpace } from '../../space/definition.ts';
import { realise } from '../../space/realise.ts';
import { paramLayout } from '../model/params.ts';
import type { ParamSlot } from '../model/params.ts';

/** The space without exits: the supernet is the backbone with its final head; exit heads are trained apart. */
export function backboneSpace(space: SearchSpace): SearchSpace {
  return { ...space, name: 'mobilenetv3', exitKind: 'none' };
}

/** Every choice at its maximum: each supernet tensor has the shape of this network's. */
export function largestConfig(space: SearchSpace): SubnetConfig {
  const d = space.depths[space.depths.length - 1];
  const n = d * space.nStages;
  const config: SubnetConfig = {
    ks: new Array<number>(n).fill(space.kernels[space.kernels.length - 1]),
    e: new Array<number>(n).fill(space.expands[space.expands.length - 1]),
    d: new Array<number>(space.nStages).fill(d),
  };
  if (!space.fixedResolution) config.r = space.ur;
  return config;
}

export function smallestConfig(space: SearchSpace): SubnetConfig {
  const d = space.depths[0];
  const n = d * space.nStages;
  const config: SubnetConfig = { ks: new Array<number>(n).fill(space.kernels[0]), e: new Array<number>(n).fill(space.expands[0]), d: new Array<number>(space.nStages).fill(d) };
  if (!space.fixedResolution) config.r = space.lr;
  return config;
}

/** Name of OFA's learned kernel transform from a `from` x `from` kernel to the next smaller one. */
export function transformName(slotLayer: string, from: number, to: number): string {
  return `${slotLayer}.${from}to${to}_matrix`;
}

export interface SupernetLayout {
  /** The largest subnet; its block indices equal the supernet slots. */
  maxGraph: NetGraph;
  /** Its parameter slots, then the kernel transform matrices of every searchable depthwise conv. */
  slots: ParamSlot[];
}

/**
 * The supernet's tensors: those of the largest subnet (every other subnet takes the first channels of each)
 * plus, per searchable depthwise conv, OFA's learned transforms between consecutive kernel sizes (k*k x k*k,
 * identity at start).
 */
export function supernetLayout(space: SearchSpace, classes: number): SupernetLayout {
  const backbone = backboneSpace(space);
  const maxGraph = realise(backbone, largestConfig(backbone), { resolution: backbone.ur, classes });
  const slots = paramLayout(maxGraph);
  const kernels = space.kernels.slice().sort((a, b) => b - a);
  for (const block of maxGraph.blocks) {
    if (block.stage < 0) continue;
    const layer = `blocks.${block.slot}.conv.depth_conv`;
    for (let i = 0; i + 1 < kernels.length; i++) {
      const k = kernels[i + 1];
      slots.push({
        name: transformName(layer, kernels[i], k),
        layer,
        role: `${kernels[i]}to${k}_matrix`,
        shape: [k * k, k * k],
        init: { kind: 'identity' },
        trainable: true,
        decay: true,
      });
    }
  }
  return { maxGraph, slots };
}
