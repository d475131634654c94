import { planArena } from './arena.ts';
import { lowerToTflite, tensorBytes, tensorLifetimes } from './lower.ts';
import type { Layer, NetGraph } from './types.ts';

const INT32_BYTES = 4;

/**
 * Bytes of constant data in a full-int8 model: int8 weights, and an int32 bias per output channel wherever the
 * layer has a bias or a batch norm (folding BN creates one). Quantisation parameters and flatbuffer overhead
 * are not included; the TFLite writer reports the exact file size.
 */
export function layerWeightBytesInt8(layer: Layer): number {
  switch (layer.kind) {
    case 'conv': {
      const weights = layer.cout * (layer.cin / layer.groups) * layer.kernel * layer.kernel;
      return weights + (layer.bias || layer.batchNorm ? INT32_BYTES * layer.cout : 0);
    }
    case 'se':
      return 2 * layer.channels * layer.reduced + INT32_BYTES * (layer.reduced + layer.channels);
    case 'linear':
      return layer.cin * layer.cout + (layer.bias ? INT32_BYTES * layer.cout : 0);
    default:
      return 0;
  }
}

/** Constant bytes of the whole deployed network, exit heads included. */
export function weightBytesInt8(graph: NetGraph): number {
  let bytes = 0;
  for (const layer of graph.layers) bytes += layerWeightBytesInt8(layer);
  return bytes;
}

/**
 * Peak activation memory of the network as TFLite Micro would plan it: the graph is lowered to TFLite operators
 * and the greedy planner places every activation tensor by its lifetime. One byte per element for int8.
 */
export function peakActivationBytes(graph: NetGraph, bytesPerElement = 1): number {
  const lowered = lowerToTflite(graph);
  const lifetimes = tensorLifetimes(lowered);
  const buffers = lifetimes.map((l) => ({
    size: tensorBytes(lowered.tensors[l.tensor], bytesPerElement),
    firstUse: l.firstUse,
    lastUse: l.lastUse,
  }));
  return planArena(buffers).peak;
}
