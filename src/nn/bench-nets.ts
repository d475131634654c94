import { GraphBuilder } from '../graph/builder.ts';
import type { Activation, NetGraph } from '../graph/types.ts';
import type { SubnetConfig } from '../space/config.ts';
import { loadSpace } from '../space/load-space.ts';
import { addFinalHead, addMbConv } from '../space/ofa-blocks.ts';
import { realise } from '../space/realise.ts';

export const BENCH_NETS = ['reference', 'max', 'min'] as const;
export type BenchNet = (typeof BENCH_NETS)[number];

/** [kernel, expand ratio, out channels, SE, activation, stride] of the reference network's blocks. */
const REFERENCE_BLOCKS: [number, number, number, boolean, Activation, number][] = [
  [3, 1, 16, false, 'relu', 1],
  [3, 4, 24, false, 'relu', 2],
  [3, 3, 24, false, 'relu', 1],
  [5, 3, 40, true, 'relu', 2],
  [5, 3, 40, true, 'relu', 1],
  [3, 6, 80, false, 'hswish', 2],
  [3, 2.5, 80, false, 'hswish', 1],
  [3, 6, 112, true, 'hswish', 1],
  [5, 6, 160, true, 'hswish', 2],
  [7, 6, 160, true, 'hswish', 1],
];

/**
 * The MobileNetV3-style network at 32x32 that the CPU training measurements of this project were taken on
 * (expanded widths 16, 64, 72, 72, 120, 240, 200, 480, 672, 960), so throughput can be compared with them.
 */
export function referenceNet(classes = 10): NetGraph {
  const g = new GraphBuilder(32, classes);
  let x = g.conv(g.input, { name: 'first_conv', cout: 16, kernel: 3, stride: 2, batchNorm: true, act: 'hswish' });
  REFERENCE_BLOCKS.forEach(([kernel, expand, cout, se, act, stride], index) => {
    x = addMbConv(g, x, { index, stage: index === 0 ? -1 : 0, slot: index, cout, kernel, expand, stride, act, se });
  });
  addFinalHead(g, { finalExpandWidth: 960, featureMixWidth: 1280 }, x, classes);
  g.exits.push({ afterStage: 0, afterBlock: REFERENCE_BLOCKS.length - 1, pool: 1, output: g.layers[g.layers.length - 1].output, final: true });
  return g.build();
}

/** The largest or smallest subnet of the default OFA space at 32 px. */
function extremeSubnet(which: 'max' | 'min', classes: number): NetGraph {
  const space = loadSpace('mobilenetv3');
  const pick = (list: number[]): number => (which === 'max' ? list[list.length - 1] : list[0]);
  const d = pick(space.depths);
  const n = d * space.nStages;
  const config: SubnetConfig = { ks: new Array<number>(n).fill(pick(space.kernels)), e: new Array<number>(n).fill(pick(space.expands)), d: new Array<number>(space.nStages).fill(d) };
  return realise(space, config, { resolution: 32, classes });
}

export function benchNet(name: BenchNet, classes = 10): NetGraph {
  return name === 'reference' ? referenceNet(classes) : extremeSubnet(name, classes);
}
