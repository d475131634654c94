import { layerCost, sumCost } from './cost.ts';
import type { ExitInfo, Layer, NetGraph, Shape } from './types.ts';

/** Exact per-exit costs: backbone up to the exit (torchprofile rules) and the exit classifier (module rules). */
export interface ExitCost {
  afterStage: number;
  final: boolean;
  pool: number;
  backboneParams: number;
  backboneMacs: number;
  classifierParams: number;
  classifierMacs: number;
}

/**
 * MACs of a classifier layer with the rules CNAS's early-exit code uses for exit heads (`module_cost`): conv
 * k*k*Cin/groups*Cout*(H/s)*(W/s) on the input size, pools C*H*W of the input, linear in*out; batch norm,
 * activations, the global pool and biases cost nothing.
 */
export function classifierLayerMacs(layer: Layer, tensors: readonly Shape[]): number {
  switch (layer.kind) {
    case 'conv': {
      const [h, w] = tensors[layer.input];
      const k2 = layer.kernel * layer.kernel;
      return k2 * (layer.cin / layer.groups) * layer.cout * (h / layer.stride) * (w / layer.stride);
    }
    case 'max_pool': {
      const [h, w, c] = tensors[layer.input];
      return c * h * w;
    }
    case 'linear':
      return layer.cin * layer.cout;
    default:
      return 0;
  }
}

function belongsToClassifier(layer: Layer, exit: ExitInfo, exitNumber: number): boolean {
  return exit.final ? layer.part.kind === 'head' : layer.part.kind === 'exit' && layer.part.exit === exitNumber;
}

/** Classifier MACs of one exit (module rules), used by the max-pool choice while exits are being built. */
export function classifierMacs(graph: NetGraph, exitNumber: number): number {
  const exit = graph.exits[exitNumber];
  let macs = 0;
  for (const layer of graph.layers) {
    if (belongsToClassifier(layer, exit, exitNumber)) macs += classifierLayerMacs(layer, graph.tensors);
  }
  return macs;
}

/** Backbone MACs and params from the input up to and including static block `afterBlock`. */
export function backboneCostUpTo(graph: NetGraph, afterBlock: number): { params: number; macs: number } {
  const c = sumCost(graph, (l) => l.part.kind === 'backbone' && l.part.block <= afterBlock);
  return { params: c.params, macs: c.macs };
}

/** Per-exit costs; every classifier is counted once (CNAS counts intermediate heads twice, the final one 3x). */
export function exitCosts(graph: NetGraph): ExitCost[] {
  return graph.exits.map((exit, i) => {
    const backbone = backboneCostUpTo(graph, exit.afterBlock);
    let classifierParams = 0;
    for (const layer of graph.layers) {
      if (belongsToClassifier(layer, exit, i)) classifierParams += layerCost(layer, graph.tensors).params;
    }
    return {
      afterStage: exit.afterStage,
      final: exit.final,
      pool: exit.pool,
      backboneParams: backbone.params,
      backboneMacs: backbone.macs,
      classifierParams,
      classifierMacs: classifierMacs(graph, i),
    };
  });
}

function checkRatios(exits: readonly ExitCost[], ratios: readonly number[]): void {
  if (ratios.length !== exits.length) {
    throw new Error(`exit ratios have ${ratios.length} entries but the network has ${exits.length} exits`);
  }
}

/**
 * CNAS's average cost: sum over exits of ratio * (backbone MACs + that exit's classifier MACs). It ignores the
 * heads of earlier exits that a sample also ran through; `expectedMacs` includes them.
 */
export function avgMacs(exits: readonly ExitCost[], ratios: readonly number[]): number {
  checkRatios(exits, ratios);
  return exits.reduce((sum, e, i) => sum + ratios[i] * (e.backboneMacs + e.classifierMacs), 0);
}

/** Expected MACs per sample when every exit head before the one taken was evaluated too. */
export function expectedMacs(exits: readonly ExitCost[], ratios: readonly number[]): number {
  checkRatios(exits, ratios);
  let heads = 0;
  let sum = 0;
  exits.forEach((e, i) => {
    heads += e.classifierMacs;
    sum += ratios[i] * (e.backboneMacs + heads);
  });
  return sum;
}
