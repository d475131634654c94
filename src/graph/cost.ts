import { numel } from './types.ts';
import type { Layer, NetGraph, Shape } from './types.ts';

/** Exact integer counts. */
export interface Cost {
  params: number;
  macs: number;
  activations: number;
}

const ZERO: Cost = { params: 0, macs: 0, activations: 0 };

/**
 * Cost of one layer under CNAS's conventions: parameters that require grad (conv weights and biases, BN
 * weight+bias), torchprofile 0.0.4 MACs (conv, BN as numel(out), every `aten::mul` including h-swish and the
 * SE scaling, every `aten::mean`, linear in*out) and CNAS's activation rule (outputs of Conv2d, BatchNorm2d,
 * Linear, Flatten and pools; a conv followed by its BN counts twice; activations, adds and the global pool do
 * not count).
 */
export function layerCost(layer: Layer, tensors: readonly Shape[]): Cost {
  switch (layer.kind) {
    case 'conv': {
      const out = numel(tensors[layer.output]);
      const fanIn = (layer.cin / layer.groups) * layer.kernel * layer.kernel;
      const bn = layer.batchNorm ? 1 : 0;
      return {
        params: layer.cout * fanIn + (layer.bias ? layer.cout : 0) + 2 * bn * layer.cout,
        macs: out * fanIn + bn * out + (layer.act === 'hswish' ? out : 0),
        activations: out + bn * out,
      };
    }
    case 'se': {
      const [h, w, c] = tensors[layer.input];
      const r = layer.reduced;
      return {
        params: 2 * c * r + r + c,
        // two chained means (over W then H), two 1x1 convs on 1x1 maps, the final x * gate
        macs: c * h + c + 2 * r * c + c * h * w,
        activations: r + c,
      };
    }
    case 'global_pool': {
      const [h, , c] = tensors[layer.input];
      return { params: 0, macs: c * h + c, activations: 0 };
    }
    case 'max_pool':
    case 'flatten':
      return { params: 0, macs: 0, activations: numel(tensors[layer.output]) };
    case 'act':
      return { params: 0, macs: layer.act === 'hswish' ? numel(tensors[layer.output]) : 0, activations: 0 };
    case 'linear':
      return {
        params: layer.cin * layer.cout + (layer.bias ? layer.cout : 0),
        macs: layer.cin * layer.cout,
        activations: layer.cout,
      };
    case 'add':
      return ZERO;
  }
}

/** Sum of `layerCost` over the layers accepted by `include`. */
export function sumCost(graph: NetGraph, include: (layer: Layer) => boolean): Cost {
  let params = 0;
  let macs = 0;
  let activations = 0;
  for (const layer of graph.layers) {
    if (!include(layer)) continue;
    const c = layerCost(layer, graph.tensors);
    params += c.params;
    macs += c.macs;
    activations += c.activations;
  }
  return { params, macs, activations };
}

/** The single-exit network (backbone and final head), as CNAS's `get_net_info` counts it. */
export function networkCost(graph: NetGraph): Cost {
  return sumCost(graph, (l) => l.part.kind !== 'exit');
}

/** CNAS reports costs in millions rounded to two decimals. */
export function toMillions(value: number): number {
  return Math.round(value / 1e4) / 100;
}
