import type { Layer } from '../../graph/types.ts';
import type { ParamSlot } from '../model/params.ts';

/**
 * How a supernet tensor is stored in an OFA checkpoint: `copy` (biases, batch norm, kernel transforms, which
 * OFA applies as v * M^T exactly as we do), `oihw` (conv kernels, [O, I, k, k] to [k, k, I, O]; a depthwise
 * [C, 1, k, k] comes out as [k, k, 1, C], the same memory as our [k, k, C, 1]) or `transpose` (linear
 * weights, [out, in] to [in, out]).
 */
export type OfaLayout = 'copy' | 'oihw' | 'transpose';

export interface OfaTensorSpec {
  /** Keys the tensor may have; the first one the checkpoint holds is taken. */
  keys: string[];
  /** Its PyTorch shape. */
  torchShape: number[];
  layout: OfaLayout;
  /** The classifier: the checkpoint may have more classes (rows); the first ones are taken, as CNAS does. */
  firstRows: boolean;
}

/**
 * OFA's state-dict keys for one of our tensors. Our layer names are OFA's module paths; OFA nests a static op
 * one level deeper inside its dynamic ops (`blocks.5.conv.depth_conv.conv.conv.weight`, `.bn.bn.running_var`,
 * `.depth_conv.conv.7to5_matrix`) but not in its static layers (`first_conv.conv.weight`, `blocks.0`), the
 * classifier is a `LinearLayer` (`classifier.linear.weight`, `.linear.linear.` as a dynamic one), and releases
 * before November 2020 name the block body `mobile_inverted_conv` instead of `conv`. OFA's own
 * `load_state_dict` accepts all of these, so this does too.
 */
function ofaKeys(slot: ParamSlot, layer: Layer): string[] {
  const { role } = slot;
  let suffixes: string[];
  if (layer.kind === 'linear') suffixes = [`linear.${role}`, `linear.linear.${role}`];
  else if (layer.kind === 'se') suffixes = [role];
  else if (role.startsWith('bn.')) suffixes = [`bn.${role}`, role];
  else if (role.endsWith('_matrix')) suffixes = [`conv.${role}`];
  else suffixes = [`conv.${role}`, `conv.conv.${role}`];
  const old = slot.layer.replace(/^(blocks\.\d+)\.conv\./, '$1.mobile_inverted_conv.');
  const prefixes = old === slot.layer ? [slot.layer] : [slot.layer, old];
  return prefixes.flatMap((p) => suffixes.map((s) => `${p}.${s}`));
}

export function ofaTensorSpec(slot: ParamSlot, layer: Layer): OfaTensorSpec {
  const keys = ofaKeys(slot, layer);
  const firstRows = slot.layer === 'classifier';
  const s = slot.shape;
  if (layer.kind === 'linear' && slot.role === 'weight') return { keys, torchShape: [s[1], s[0]], layout: 'transpose', firstRows };
  if (s.length === 4) {
    const depthwise = layer.kind === 'conv' && layer.groups !== 1;
    return { keys, torchShape: depthwise ? [s[2], 1, s[0], s[1]] : [s[3], s[2], s[0], s[1]], layout: 'oihw', firstRows };
  }
  return { keys, torchShape: s.slice(), layout: 'copy', firstRows };
}

/** Whether a checkpoint tensor of `shape` holds the spec's (the classifier's may have more rows). */
export function shapeFits(shape: readonly number[], spec: OfaTensorSpec): boolean {
  const t = spec.torchShape;
  if (shape.length !== t.length) return false;
  return shape.every((n, d) => n === t[d] || (d === 0 && spec.firstRows && n > t[d]));
}

/** PyTorch values of `spec.torchShape` (row-major) in our layout. */
export function toOurLayout(values: Float32Array, spec: OfaTensorSpec): Float32Array {
  if (spec.layout === 'copy') return values.slice();
  const out = new Float32Array(values.length);
  if (spec.layout === 'transpose') {
    const [rows, cols] = spec.torchShape;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
    return out;
  }
  const [o, i, kh, kw] = spec.torchShape;
  let source = 0;
  for (let a = 0; a < o; a++) {
    for (let b = 0; b < i; b++) {
      for (let h = 0; h < kh; h++) for (let w = 0; w < kw; w++) out[((h * kw + w) * i + b) * o + a] = values[source++];
    }
  }
  return out;
}
