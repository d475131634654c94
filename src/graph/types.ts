/**
 * The NetGraph: one plain-data description of a concrete network. The cost counter, the TF.js builder, the
 * TFLite writer and the simulator all read it; none of them re-derives layer shapes from a config.
 *
 * Tensors are NHWC without the batch axis: `[height, width, channels]`. A flattened tensor is `[1, 1, n]`.
 */

export type Activation = 'none' | 'relu' | 'relu6' | 'hswish' | 'hsigmoid';

/** Explicit zero padding per side, so that every consumer pads identically (PyTorch pads k//2 on all sides). */
export interface Padding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

export type Shape = readonly [height: number, width: number, channels: number];

/** Which part of the network a layer belongs to; the cost conventions differ per part. */
export type Part =
  | { kind: 'backbone'; block: number } // block -1 = first conv, 0 = fixed first block, 1.. = searchable blocks
  | { kind: 'head' } // final expand, global pool, feature mix, classifier
  | { kind: 'exit'; exit: number }; // intermediate exit classifier, numbered in execution order

interface LayerBase {
  /** Module path in the static OFA/PyTorch network, e.g. `blocks.3.conv.depth_conv`; weights are keyed by it. */
  name: string;
  part: Part;
  output: number;
}

/** Convolution with optional bias, batch norm and activation; `groups === cin` is a depthwise conv. */
export interface ConvLayer extends LayerBase {
  kind: 'conv';
  input: number;
  cin: number;
  cout: number;
  kernel: number;
  stride: number;
  groups: number;
  padding: Padding;
  bias: boolean;
  batchNorm: boolean;
  act: Activation;
}

/** Squeeze-and-excite: mean -> 1x1 conv (bias) -> ReLU -> 1x1 conv (bias) -> h-sigmoid -> scale the input. */
export interface SqueezeExciteLayer extends LayerBase {
  kind: 'se';
  input: number;
  channels: number;
  reduced: number;
}

export interface AddLayer extends LayerBase {
  kind: 'add';
  inputs: readonly [number, number];
}

/** Mean over height and width, keeping both as size 1. */
export interface GlobalPoolLayer extends LayerBase {
  kind: 'global_pool';
  input: number;
}

/** Max pool with window = stride = `size`, no padding, floor (PyTorch `MaxPool2d(size)`). */
export interface MaxPoolLayer extends LayerBase {
  kind: 'max_pool';
  input: number;
  size: number;
}

export interface ActivationLayer extends LayerBase {
  kind: 'act';
  input: number;
  act: Activation;
}

/** Flatten to `[1, 1, h*w*c]` in NHWC order. */
export interface FlattenLayer extends LayerBase {
  kind: 'flatten';
  input: number;
}

export interface LinearLayer extends LayerBase {
  kind: 'linear';
  input: number;
  cin: number;
  cout: number;
  bias: boolean;
}

export type Layer =
  | ConvLayer
  | SqueezeExciteLayer
  | AddLayer
  | GlobalPoolLayer
  | MaxPoolLayer
  | ActivationLayer
  | FlattenLayer
  | LinearLayer;

/** One inverted-residual block as the supernet sees it (for weight inheritance and builders). */
export interface BlockInfo {
  /** Index in the static subnet's `blocks` list (0 = the fixed first block). */
  index: number;
  /** Searchable stage 0..4, or -1 for the fixed first block. */
  stage: number;
  /** Slot in the supernet's block list (stage-major, 1 + 4*stage + position); 0 for the first block. */
  slot: number;
  cin: number;
  cout: number;
  mid: number;
  kernel: number;
  expand: number;
  stride: number;
  act: Activation;
  se: boolean;
  shortcut: boolean;
}

export interface ExitInfo {
  /** Searchable stage (0-based) after which the exit sits; the final exit is after the last stage. */
  afterStage: number;
  /** Index of the last backbone block the exit reads (static subnet numbering). */
  afterBlock: number;
  /** Max-pool window in front of an intermediate exit head (1 = none). */
  pool: number;
  /** Logits tensor of this exit. */
  output: number;
  /** Threshold of the exit rule where the space carries one (EDANAS `t`); final exit 1. */
  threshold?: number;
  final: boolean;
}

export interface NetGraph {
  resolution: number;
  classes: number;
  input: number;
  /** Shape of every tensor, indexed by tensor id. */
  tensors: Shape[];
  /** Layers in execution order. */
  layers: Layer[];
  blocks: BlockInfo[];
  /** Exits in execution order; a single-exit network has exactly one (the final classifier). */
  exits: ExitInfo[];
}

export function numel(shape: Shape): number {
  return shape[0] * shape[1] * shape[2];
}

/** Output size of a conv or pool along one axis. */
export function convOutputSize(size: number, kernel: number, stride: number, padBefore: number, padAfter: number): number {
  return Math.floor((size + padBefore + padAfter - kernel) / stride) + 1;
}
