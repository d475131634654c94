import { GraphBuilder } from '../graph/builder.ts';
import { classifierLayerMacs } from '../graph/exit-cost.ts';
import { layerCost } from '../graph/cost.ts';
import { ConfigError } from './errors.ts';
import { exitFlags, MIN_RESOLUTION } from './config.ts';
import { addFinalHead, addMbConv } from './ofa-blocks.ts';
import type { ExitInfo, Layer, NetGraph } from '../graph/types.ts';
import type { SubnetConfig } from './config.ts';
import type { SearchSpace } from './definition.ts';

export interface RealiseOptions {
  /** Used when the config has no `r`. */
  resolution?: number;
  classes: number;
}

/**
 * The intermediate exit classifier of CNAS's early-exit networks: [max pool] -> ReLU -> three 3x3 convs
 * (32, 64, 128 channels, bias, ReLU) -> flatten -> linear. The trailing ReLU before the linear layer of the
 * original is omitted: its input is already non-negative.
 */
function addExitHead(g: GraphBuilder, input: number, exit: number, pool: number, outputs: number): number {
  g.part = { kind: 'exit', exit };
  const prefix = `exits.${exit}`;
  let x = input;
  if (pool > 1) x = g.maxPool(x, `${prefix}.pool`, pool);
  x = g.activation(x, `${prefix}.relu`, 'relu');
  for (const [i, c] of [32, 64, 128].entries()) {
    x = g.conv(x, { name: `${prefix}.conv${i + 1}`, cout: c, kernel: 3, bias: true, act: 'relu' });
  }
  x = g.flatten(x, `${prefix}.flatten`);
  return g.linear(x, `${prefix}.linear`, outputs);
}

/** Largest max-pool window CNAS allows in front of an exit with `channels` channels. */
function maxPoolFor(channels: number): number {
  return channels >= 16 ? 4 : channels >= 8 ? 2 : 1;
}

/** Classifier MACs (module rules) of an exit head on a feature map of the given shape. */
function exitHeadMacs(h: number, w: number, c: number, pool: number, outputs: number): number {
  const scratch = new GraphBuilder(h, outputs, c);
  scratch.tensors[scratch.input] = [h, w, c];
  addExitHead(scratch, scratch.input, 0, pool, outputs);
  return scratch.layers.reduce((sum, layer) => sum + classifierLayerMacs(layer, scratch.tensors), 0);
}

interface ExitSite {
  afterStage: number;
  afterBlock: number;
  feature: number;
  /** Position in the layer list right after the stage's last block. */
  layerIndex: number;
  backboneMacs: number;
  threshold?: number;
}

/**
 * CNAS's max-pool choice, from the second-to-last exit backwards: grow the pool (none, 2, 4; up to the channel
 * limit, and never below a 1x1 map) until the exit costs less than the next one. CNAS also tries a 1x1 pool,
 * an identity that only adds cost; it is skipped here.
 */
function choosePools(g: GraphBuilder, sites: ExitSite[], finalCost: number, outputs: number): number[] {
  const pools = new Array<number>(sites.length).fill(1);
  let costNext = finalCost;
  for (let i = sites.length - 1; i >= 0; i--) {
    const [h, w, c] = g.shape(sites[i].feature);
    const candidates = [1, 2, 4].filter((p) => p <= maxPoolFor(c) && Math.floor(Math.min(h, w) / p) >= 1);
    let cost = 0;
    for (const p of candidates) {
      pools[i] = p;
      cost = sites[i].backboneMacs + exitHeadMacs(h, w, c, p, outputs);
      if (cost < costNext) break;
    }
    costNext = cost;
  }
  return pools;
}

/** Realises a validated config into the exact OFA MobileNetV3 layout, with the per-stage (padded) mapping. */
export function realise(space: SearchSpace, config: SubnetConfig, options: RealiseOptions): NetGraph {
  const resolution = config.r ?? options.resolution;
  if (resolution === undefined) throw new ConfigError('r', 'is missing and no resolution was given');
  if (!Number.isInteger(resolution) || resolution < MIN_RESOLUTION) {
    throw new ConfigError('r', `value ${resolution} is not allowed; allowed values: integers >= ${MIN_RESOLUTION}`);
  }
  if (!Number.isInteger(options.classes) || options.classes < 1) {
    throw new ConfigError('classes', `value ${options.classes} is not allowed; allowed values: integers >= 1`);
  }
  const g = new GraphBuilder(resolution, options.classes);
  let x = g.conv(g.input, { name: 'first_conv', cout: space.firstConvWidth, kernel: 3, stride: 2, batchNorm: true, act: 'hswish' });
  x = addMbConv(g, x, { index: 0, stage: -1, slot: 0, cout: space.firstBlockWidth, kernel: 3, expand: 1, stride: 1, act: 'relu', se: false });

  const flags = exitFlags(space, config);
  const sites: ExitSite[] = [];
  let index = 1;
  for (let stage = 0; stage < space.nStages; stage++) {
    for (let pos = 0; pos < config.d[stage]; pos++, index++) {
      x = addMbConv(g, x, {
        index,
        stage,
        slot: 1 + stage * space.maxDepth + pos,
        cout: space.stageWidths[stage],
        kernel: config.ks[index - 1],
        expand: config.e[index - 1],
        stride: pos === 0 ? space.strides[stage] : 1,
        act: space.activations[stage],
        se: space.se[stage],
      });
    }
    if (stage < space.nBoundaries && flags[stage]) {
      sites.push({
        afterStage: stage,
        afterBlock: index - 1,
        feature: x,
        layerIndex: g.layers.length,
        backboneMacs: sumMacs(g.layers, g),
        ...(config.t && { threshold: config.t[stage] }),
      });
    }
  }
  const logits = addFinalHead(g, space, x, options.classes);
  const final: ExitInfo = { afterStage: space.nStages - 1, afterBlock: index - 1, pool: 1, output: logits, final: true };
  if (config.t) final.threshold = 1;
  if (sites.length === 0) {
    g.exits.push(final);
    return g.build();
  }

  const backboneMacs = sumMacs(g.layers.filter((l) => l.part.kind === 'backbone'), g);
  const finalHeadMacs = g.layers.filter((l) => l.part.kind === 'head').reduce((s, l) => s + classifierLayerMacs(l, g.tensors), 0);
  const outputs = space.exitKind === 'flag' ? options.classes + 1 : options.classes;
  const pools = choosePools(g, sites, backboneMacs + finalHeadMacs, outputs);
  const backboneAndHead = g.layers.splice(0);
  const heads: Layer[][] = sites.map((site, i) => {
    const start = g.layers.length;
    const output = addExitHead(g, site.feature, i, pools[i], outputs);
    g.exits.push({ afterStage: site.afterStage, afterBlock: site.afterBlock, pool: pools[i], output, final: false, ...(site.threshold !== undefined && { threshold: site.threshold }) });
    return g.layers.slice(start);
  });
  g.layers.length = 0;
  let from = 0;
  sites.forEach((site, i) => {
    g.layers.push(...backboneAndHead.slice(from, site.layerIndex), ...heads[i]);
    from = site.layerIndex;
  });
  g.layers.push(...backboneAndHead.slice(from));
  g.exits.push(final);
  return g.build();
}

function sumMacs(layers: readonly Layer[], g: GraphBuilder): number {
  let macs = 0;
  for (const layer of layers) macs += layerCost(layer, g.tensors).macs;
  return macs;
}
