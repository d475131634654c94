import type { NetParams } from '../nn/model/params.ts';

/**
 * Network weights as plain arrays, keyed `<layer>.<role>` with the layouts of `paramLayout` (conv kernels
 * [k, k, cin, cout], depthwise [k, k, cin, 1], linear [cin, cout], BN `bn.weight|bias|running_mean|running_var`,
 * SE `fc.reduce|expand.weight|bias`). The exporter reads only this, so it runs without TF.js.
 */
export type WeightMap = ReadonlyMap<string, Float32Array>;

/** Copies the current values of every parameter tensor out of TF.js (copies: backends may hand out their own storage). */
export function weightsFromParams(params: NetParams): Map<string, Float32Array> {
  return new Map(params.tensors.map((t) => [t.name, new Float32Array(t.variable.dataSync())]));
}

/** The named tensor, checked for presence and size, so that a wrong map fails with its name. */
export function weight(weights: WeightMap, name: string, size: number): Float32Array {
  const values = weights.get(name);
  if (values === undefined) throw new Error(`weights: no tensor "${name}"`);
  if (values.length !== size) throw new Error(`weights: tensor "${name}" has ${values.length} values, the network needs ${size}`);
  return values;
}
