import * as tf from '@tensorflow/tfjs';
import type { Rank, Tensor, Tensor1D, Tensor2D, Tensor4D, Variable } from '@tensorflow/tfjs';
import type { Layer, NetGraph } from '../../graph/types.ts';
import { Prng } from '../../util/prng.ts';

/**
 * What the forward pass reads: any tensors, not only variables, so that a supernet can pass slices of its own
 * weights (variables satisfy these types, so `NetParams` is `NetTensors` too).
 */
export interface BatchNormTensors {
  gamma: Tensor1D;
  beta: Tensor1D;
  movingMean: Tensor1D;
  movingVariance: Tensor1D;
}

export type LayerTensors =
  | { kind: 'conv'; kernel: Tensor4D; bias?: Tensor1D; bn?: BatchNormTensors }
  | { kind: 'se'; reduceKernel: Tensor4D; reduceBias: Tensor1D; expandKernel: Tensor4D; expandBias: Tensor1D }
  | { kind: 'linear'; weight: Tensor2D; bias?: Tensor1D };

export interface NetTensors {
  layers: ReadonlyMap<string, LayerTensors>;
}

export interface BatchNormParams {
  gamma: Variable<Rank.R1>;
  beta: Variable<Rank.R1>;
  /** Running statistics: updated by training-mode forward passes, never by the optimiser. */
  movingMean: Variable<Rank.R1>;
  movingVariance: Variable<Rank.R1>;
}

export interface ConvParams {
  kind: 'conv';
  /** TF layout: [k, k, cin, cout], or [k, k, cin, 1] for a depthwise convolution. */
  kernel: Variable<Rank.R4>;
  bias?: Variable<Rank.R1>;
  bn?: BatchNormParams;
}

/** The two 1x1 convolutions of a squeeze-and-excite layer, kernels in TF layout [1, 1, cin, cout]. */
export interface SqueezeExciteParams {
  kind: 'se';
  reduceKernel: Variable<Rank.R4>;
  reduceBias: Variable<Rank.R1>;
  expandKernel: Variable<Rank.R4>;
  expandBias: Variable<Rank.R1>;
}

export interface LinearParams {
  kind: 'linear';
  /** [cin, cout]. */
  weight: Variable<Rank.R2>;
  bias?: Variable<Rank.R1>;
}

export type LayerParams = ConvParams | SqueezeExciteParams | LinearParams;

/** The parameters of one network, by layer for the forward pass and as one flat list for optimisers and checkpoints. */
export interface NetParams {
  /** Keyed by layer name. */
  layers: ReadonlyMap<string, LayerParams>;
  /** Every tensor in `paramLayout` order. */
  tensors: readonly ParamTensor[];
}

/** How a tensor is initialised, following OFA's `init_models(net, 'he_fout')`. */
export type ParamInit = { kind: 'normal'; std: number } | { kind: 'uniform'; limit: number } | { kind: 'constant'; value: number } | { kind: 'identity' };

/** One parameter tensor of a network, before any value exists. */
export interface ParamSlot {
  /** `<layer name>.<role>`, with PyTorch's suffixes (`weight`, `bn.running_var`, `fc.reduce.bias`, ...). */
  name: string;
  layer: string;
  role: string;
  shape: number[];
  init: ParamInit;
  /** False for running statistics. */
  trainable: boolean;
  /** Whether weight decay applies: not to BN parameters and biases (OFA's `no_decay_keys = 'bn#bias'`). */
  decay: boolean;
}

/** A parameter tensor with its value. */
export interface ParamTensor extends ParamSlot {
  variable: Variable;
}

const ZERO: ParamInit = { kind: 'constant', value: 0 };
const ONE: ParamInit = { kind: 'constant', value: 1 };

/**
 * OFA's he_fout: std = sqrt(2 / (k * k * out_channels)). OFA (like PyTorch's kaiming fan_out) does not divide
 * by the groups, so a depthwise kernel starts small; every depthwise conv is followed by batch norm, which
 * makes the output independent of that scale.
 */
function heFanOut(kernel: number, cout: number): ParamInit {
  return { kind: 'normal', std: Math.sqrt(2 / (kernel * kernel * cout)) };
}

function slot(layer: string, role: string, shape: number[], init: ParamInit, decay: boolean, trainable = true): ParamSlot {
  return { name: `${layer}.${role}`, layer, role, shape, init, trainable, decay };
}

function layerSlots(layer: Layer): ParamSlot[] {
  const name = layer.name;
  switch (layer.kind) {
    case 'conv': {
      if (layer.groups !== 1 && layer.groups !== layer.cin) {
        throw new Error(`conv layer ${name}: groups ${layer.groups} is neither 1 nor cin (${layer.cin}); only regular and depthwise convolutions are supported`);
      }
      const depthwise = layer.groups !== 1;
      const slots = [slot(name, 'weight', [layer.kernel, layer.kernel, layer.cin, depthwise ? 1 : layer.cout], heFanOut(layer.kernel, layer.cout), true)];
      if (layer.bias) slots.push(slot(name, 'bias', [layer.cout], ZERO, false));
      if (layer.batchNorm) {
        slots.push(
          slot(name, 'bn.weight', [layer.cout], ONE, false),
          slot(name, 'bn.bias', [layer.cout], ZERO, false),
          slot(name, 'bn.running_mean', [layer.cout], ZERO, false, false),
          slot(name, 'bn.running_var', [layer.cout], ONE, false, false),
        );
      }
      return slots;
    }
    case 'se':
      return [
        slot(name, 'fc.reduce.weight', [1, 1, layer.channels, layer.reduced], heFanOut(1, layer.reduced), true),
        slot(name, 'fc.reduce.bias', [layer.reduced], ZERO, false),
        slot(name, 'fc.expand.weight', [1, 1, layer.reduced, layer.channels], heFanOut(1, layer.channels), true),
        slot(name, 'fc.expand.bias', [layer.channels], ZERO, false),
      ];
    case 'linear': {
      // OFA initialises linear weights uniform in +-1/sqrt(in_features) and zeroes the bias.
      const slots = [slot(name, 'weight', [layer.cin, layer.cout], { kind: 'uniform', limit: 1 / Math.sqrt(layer.cin) }, true)];
      if (layer.bias) slots.push(slot(name, 'bias', [layer.cout], ZERO, false));
      return slots;
    }
    default:
      return [];
  }
}

/**
 * Every parameter tensor of the network in layer order: the layout of a checkpoint. The last batch norm of
 * every block with an identity shortcut starts at gamma 0 (OFA's `zero_last_gamma`): each such block begins as
 * the identity, which is what lets the deep subnets train from scratch at all (the largest subnet at 32 px
 * stayed at chance for 6 epochs without it and reached 91 % on the synthetic set with it).
 */
export function paramLayout(graph: NetGraph): ParamSlot[] {
  const zeroGamma = new Set(graph.blocks.filter((b) => b.shortcut).map((b) => `blocks.${b.index}.conv.point_linear.bn.weight`));
  return graph.layers.flatMap(layerSlots).map((s) => (zeroGamma.has(s.name) ? { ...s, init: ZERO } : s));
}

/** Groups a layer's tensors by role; with variables in, the result is that layer's `LayerParams`. */
function assemble(layer: Layer, byRole: ReadonlyMap<string, Tensor>): LayerTensors {
  // The layout gives each role its rank, so the casts only restate it.
  const get = <R extends Rank>(role: string) => byRole.get(role) as Tensor<R>;
  switch (layer.kind) {
    case 'conv': {
      const params: Extract<LayerTensors, { kind: 'conv' }> = { kind: 'conv', kernel: get('weight') };
      if (layer.bias) params.bias = get('bias');
      if (layer.batchNorm) {
        params.bn = { gamma: get('bn.weight'), beta: get('bn.bias'), movingMean: get('bn.running_mean'), movingVariance: get('bn.running_var') };
      }
      return params;
    }
    case 'se':
      return {
        kind: 'se',
        reduceKernel: get('fc.reduce.weight'),
        reduceBias: get('fc.reduce.bias'),
        expandKernel: get('fc.expand.weight'),
        expandBias: get('fc.expand.bias'),
      };
    case 'linear': {
      const params: Extract<LayerTensors, { kind: 'linear' }> = { kind: 'linear', weight: get('weight') };
      if (layer.bias) params.bias = get('bias');
      return params;
    }
    default:
      throw new Error(`layer ${layer.name} (${layer.kind}) has no parameters`);
  }
}

/** Creates the variables of every parameter tensor with the values `fill` gives, in `paramLayout` order. */
export function createParams(graph: NetGraph, fill: (slot: ParamSlot, index: number) => Float32Array): NetParams {
  const variablesByLayer = new Map<string, Map<string, Variable>>();
  const tensors = paramLayout(graph).map((s, index): ParamTensor => {
    const values = fill(s, index);
    // Unnamed: tfjs names must be unique per process, and several networks may live side by side.
    const variable = tf.tidy(() => tf.variable(tf.tensor(values, s.shape, 'float32'), s.trainable));
    const roles = variablesByLayer.get(s.layer) ?? new Map<string, Variable>();
    roles.set(s.role, variable);
    variablesByLayer.set(s.layer, roles);
    return { ...s, variable };
  });
  const layers = new Map<string, LayerParams>();
  for (const layer of graph.layers) {
    const roles = variablesByLayer.get(layer.name);
    // Built from variables only, so every field is a variable.
    if (roles !== undefined) layers.set(layer.name, assemble(layer, roles) as LayerParams);
  }
  return { layers, tensors };
}

/**
 * A read-only view of a network's parameters from arbitrary tensors (e.g. slices of a supernet's weights,
 * computed inside a gradient tape), one per `paramLayout` slot.
 */
export function tensorsFor(graph: NetGraph, valueOf: (slot: ParamSlot) => Tensor): NetTensors {
  const byLayer = new Map<string, Map<string, Tensor>>();
  for (const s of paramLayout(graph)) {
    const roles = byLayer.get(s.layer) ?? new Map<string, Tensor>();
    roles.set(s.role, valueOf(s));
    byLayer.set(s.layer, roles);
  }
  const layers = new Map<string, LayerTensors>();
  for (const layer of graph.layers) {
    const roles = byLayer.get(layer.name);
    if (roles !== undefined) layers.set(layer.name, assemble(layer, roles));
  }
  return { layers };
}

/** Initial values of one slot; draws from `rng` for the random kinds. */
export function initialValues(slot: ParamSlot, rng: Prng): Float32Array {
  const { init } = slot;
  const size = tf.util.sizeFromShape(slot.shape);
  switch (init.kind) {
    case 'identity': {
      const n = slot.shape[0];
      const values = new Float32Array(size);
      for (let i = 0; i < n; i++) values[i * n + i] = 1;
      return values;
    }
    case 'constant':
      return new Float32Array(size).fill(init.value);
    case 'normal':
      return Float32Array.from({ length: size }, () => init.std * rng.normal());
    case 'uniform':
      return Float32Array.from({ length: size }, () => init.limit * (2 * rng.next() - 1));
  }
}

/** Fresh parameters, initialised as OFA does; the same seed gives the same values on any machine. */
export function initParams(graph: NetGraph, seed: number): NetParams {
  const rng = new Prng(seed);
  return createParams(graph, (s) => initialValues(s, rng));
}

/** Frees every variable of `params`. */
export function disposeParams(params: NetParams): void {
  for (const t of params.tensors) t.variable.dispose();
}
