import * as tf from '@tensorflow/tfjs';
import type { Tensor1D, Tensor2D, Tensor4D } from '@tensorflow/tfjs';
import type { Activation, ConvLayer, Layer, NetGraph, Padding, SqueezeExciteLayer } from '../../graph/types.ts';
import { batchNormTrain } from '../backend/batch-norm.ts';
import type { BatchNormTensors, LayerTensors, NetTensors } from './params.ts';

type ConvTensors = Extract<LayerTensors, { kind: 'conv' }>;
type SeTensors = Extract<LayerTensors, { kind: 'se' }>;
type LinearTensors = Extract<LayerTensors, { kind: 'linear' }>;

export interface ForwardOptions {
  /** Batch statistics and moving-statistic updates (true) or the moving statistics (false). */
  training: boolean;
  /** PyTorch's convention: running = (1 - momentum) * running + momentum * batch. Default 0.1. */
  bnMomentum?: number;
  /** Default 1e-5, PyTorch's. */
  eps?: number;
  /**
   * Whether training mode updates the moving statistics (default true; they must then be variables). A
   * supernet trains on slices of its weights and recalibrates statistics per subnet, so it turns this off.
   */
  updateStatistics?: boolean;
}

interface BatchNormSettings {
  training: boolean;
  update: boolean;
  momentum: number;
  eps: number;
}

function activate(x: Tensor4D, act: Activation): Tensor4D {
  switch (act) {
    case 'none':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'hswish':
      return tf.mul(x, hardSigmoid(x));
    case 'hsigmoid':
      return hardSigmoid(x);
  }
}

function hardSigmoid(x: Tensor4D): Tensor4D {
  return tf.div(tf.relu6(tf.add(x, 3)), 6);
}

function explicitPadding(p: Padding): [[number, number], [number, number], [number, number], [number, number]] {
  return [
    [0, 0],
    [p.top, p.bottom],
    [p.left, p.right],
    [0, 0],
  ];
}

/** running = (1 - momentum) * running + momentum * batch, as an in-place assignment. */
function updateRunning(running: Tensor1D, batch: Tensor1D, momentum: number, layer: string): void {
  if (!(running instanceof tf.Variable)) throw new Error(`batch norm of ${layer}: moving statistics to update must be variables`);
  running.assign(tf.add(tf.mul(running, 1 - momentum), tf.mul(batch, momentum)));
}

function batchNorm(x: Tensor4D, bn: BatchNormTensors, settings: BatchNormSettings, layer: string): Tensor4D {
  const { gamma, beta, movingMean, movingVariance } = bn;
  if (!settings.training) return tf.batchNorm<tf.Rank.R4>(x, movingMean, movingVariance, beta, gamma, settings.eps);
  const count = x.size / x.shape[3];
  if (count < 2) throw new Error(`batch norm of ${layer} in training mode needs more than 1 value per channel, got ${count}`);
  const { y, mean, variance } = batchNormTrain(x, gamma, beta, settings.eps);
  if (settings.update) {
    updateRunning(movingMean, mean, settings.momentum, layer);
    // PyTorch normalises with the biased batch variance but keeps the unbiased one as the running estimate.
    updateRunning(movingVariance, tf.mul(variance, count / (count - 1)), settings.momentum, layer);
  }
  return y;
}

function conv(x: Tensor4D, layer: ConvLayer, p: ConvTensors, bn: BatchNormSettings): Tensor4D {
  const pad = explicitPadding(layer.padding);
  let y = layer.groups === 1 ? tf.conv2d(x, p.kernel, layer.stride, pad) : tf.depthwiseConv2d(x, p.kernel, layer.stride, pad);
  if (p.bias) y = tf.add(y, p.bias);
  if (p.bn) y = batchNorm(y, p.bn, bn, layer.name);
  return activate(y, layer.act);
}

/** A [1, 1, cin, cout] kernel applied to [n, cin] as a matrix product, plus its bias. */
function pointwise(x: Tensor2D, kernel: Tensor4D, bias: Tensor1D): Tensor2D {
  const [, , cin, cout] = kernel.shape;
  return tf.add(tf.matMul(x, tf.reshape(kernel, [cin, cout])), bias);
}

/** Mean over height and width as one average pool: tfjs's Mean over inner axes transposes first. */
function spatialMean(x: Tensor4D): Tensor4D {
  const [, h, w] = x.shape;
  return h === 1 && w === 1 ? x : tf.avgPool(x, [h, w], 1, 'valid');
}

function squeezeExcite(x: Tensor4D, layer: SqueezeExciteLayer, p: SeTensors): Tensor4D {
  const n = x.shape[0];
  const squeezed = tf.reshape<tf.Rank.R2>(spatialMean(x), [n, layer.channels]);
  const reduced = tf.relu(pointwise(squeezed, p.reduceKernel, p.reduceBias));
  const gate = hardSigmoid(tf.reshape(pointwise(reduced, p.expandKernel, p.expandBias), [n, 1, 1, layer.channels]));
  return tf.mul(x, gate);
}

function linear(x: Tensor4D, p: LinearTensors): Tensor4D {
  const [n, , , cin] = x.shape;
  const [, cout] = p.weight.shape;
  let y: Tensor2D = tf.matMul(tf.reshape(x, [n, cin]), p.weight);
  if (p.bias) y = tf.add(y, p.bias);
  return tf.reshape(y, [n, 1, 1, cout]);
}

function paramsOf<K extends LayerTensors['kind']>(params: NetTensors, layer: Layer, kind: K): Extract<LayerTensors, { kind: K }> {
  const p = params.layers.get(layer.name);
  if (p?.kind !== kind) throw new Error(`no ${kind} parameters for layer ${layer.name}`);
  return p as Extract<LayerTensors, { kind: K }>;
}

function runLayer(layer: Layer, values: readonly Tensor4D[], params: NetTensors, bn: BatchNormSettings): Tensor4D {
  switch (layer.kind) {
    case 'conv':
      return conv(values[layer.input], layer, paramsOf(params, layer, 'conv'), bn);
    case 'se':
      return squeezeExcite(values[layer.input], layer, paramsOf(params, layer, 'se'));
    case 'add':
      return tf.add(values[layer.inputs[0]], values[layer.inputs[1]]);
    case 'global_pool':
      return spatialMean(values[layer.input]);
    case 'max_pool':
      return tf.maxPool(values[layer.input], layer.size, layer.size, 'valid');
    case 'act':
      return activate(values[layer.input], layer.act);
    case 'flatten': {
      const x = values[layer.input];
      return tf.reshape(x, [x.shape[0], 1, 1, x.size / x.shape[0]]);
    }
    case 'linear':
      return linear(values[layer.input], paramsOf(params, layer, 'linear'));
  }
}

/**
 * Runs the network on an NHWC batch and returns the logits of every exit, [n, outputs] each, in
 * `graph.exits` order. In training mode batch norm normalises with batch statistics and updates the moving
 * statistics in place; everything else it allocates is freed before it returns.
 */
export function forward(graph: NetGraph, params: NetTensors, x: Tensor4D, options: ForwardOptions): Tensor2D[] {
  const [, h, w, c] = x.shape;
  const [eh, ew, ec] = graph.tensors[graph.input];
  if (h !== eh || w !== ew || c !== ec) throw new Error(`forward: input is ${h}x${w}x${c}, the network takes ${eh}x${ew}x${ec}`);
  const bn: BatchNormSettings = { training: options.training, update: options.updateStatistics ?? true, momentum: options.bnMomentum ?? 0.1, eps: options.eps ?? 1e-5 };
  return tf.tidy(() => {
    const values: Tensor4D[] = [];
    values[graph.input] = x;
    for (const layer of graph.layers) values[layer.output] = runLayer(layer, values, params, bn);
    return graph.exits.map((exit) => {
      const logits = values[exit.output];
      return tf.reshape<tf.Rank.R2>(logits, [logits.shape[0], logits.size / logits.shape[0]]);
    });
  });
}
