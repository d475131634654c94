import type { GraphBuilder } from '../graph/builder.ts';
import type { Activation } from '../graph/types.ts';
import { makeDivisible, pythonRound } from './make-divisible.ts';

export interface MbConvSpec {
  index: number;
  stage: number;
  slot: number;
  cout: number;
  kernel: number;
  expand: number;
  stride: number;
  act: Activation;
  se: boolean;
}

/** OFA's MBConv: [expand 1x1] -> depthwise -> [SE] -> project 1x1, with an identity shortcut when shapes allow. */
export function addMbConv(g: GraphBuilder, input: number, spec: MbConvSpec): number {
  const cin = g.shape(input)[2];
  const mid = spec.expand === 1 ? cin : makeDivisible(pythonRound(cin * spec.expand));
  const prefix = `blocks.${spec.index}`;
  g.part = { kind: 'backbone', block: spec.index };
  let x = input;
  if (spec.expand !== 1) {
    x = g.conv(x, { name: `${prefix}.conv.inverted_bottleneck`, cout: mid, kernel: 1, batchNorm: true, act: spec.act });
  }
  x = g.conv(x, { name: `${prefix}.conv.depth_conv`, cout: mid, kernel: spec.kernel, stride: spec.stride, depthwise: true, batchNorm: true, act: spec.act });
  if (spec.se) x = g.squeezeExcite(x, `${prefix}.conv.depth_conv.se`, makeDivisible(Math.floor(mid / 4)));
  x = g.conv(x, { name: `${prefix}.conv.point_linear`, cout: spec.cout, kernel: 1, batchNorm: true });
  const shortcut = spec.stride === 1 && cin === spec.cout;
  if (shortcut) x = g.add(x, input, `${prefix}.shortcut`);
  // listed field by field: spreading `spec` here made realisation 7x slower in V8
  g.blocks.push({
    index: spec.index,
    stage: spec.stage,
    slot: spec.slot,
    cin,
    cout: spec.cout,
    mid,
    kernel: spec.kernel,
    expand: spec.expand,
    stride: spec.stride,
    act: spec.act,
    se: spec.se,
    shortcut,
  });
  return x;
}

/** OFA's final head: final expand -> global pool -> feature mix -> classifier. */
export function addFinalHead(g: GraphBuilder, widths: { finalExpandWidth: number; featureMixWidth: number }, input: number, classes: number): number {
  g.part = { kind: 'head' };
  let x = g.conv(input, { name: 'final_expand_layer', cout: widths.finalExpandWidth, kernel: 1, batchNorm: true, act: 'hswish' });
  x = g.globalPool(x, 'global_avg_pool');
  x = g.conv(x, { name: 'feature_mix_layer', cout: widths.featureMixWidth, kernel: 1, act: 'hswish' });
  return g.linear(x, 'classifier', classes);
}
