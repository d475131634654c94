import * as tf from '@tensorflow/tfjs';
import type { NamedTensorMap, Scalar, Variable } from '@tensorflow/tfjs';
import type { ParamTensor } from '../model/params.ts';

export interface SgdOptions {
  /** Default 0.9. */
  momentum?: number;
  /** L2 coefficient for the tensors marked `decay`; default 3e-5, OFA's training setting. */
  weightDecay?: number;
}

interface Slot {
  variable: Variable;
  decay: boolean;
  velocity: Variable;
}

/**
 * PyTorch's SGD with momentum, dampening 0 and no Nesterov: g' = g + wd * p (L2 added to the gradient, only
 * for tensors marked `decay`), v = momentum * v + g', p = p - lr * v. A zero initial velocity gives PyTorch's
 * first step v = g'. The learning rate is given per step, so a schedule can change it every epoch.
 */
export class Sgd {
  private readonly slots: Slot[];
  private readonly momentum: Scalar;
  private readonly weightDecay: Scalar;

  constructor(tensors: readonly Pick<ParamTensor, 'variable' | 'decay'>[], options: SgdOptions = {}) {
    this.slots = tensors
      .filter((t) => t.variable.trainable)
      .map((t) => ({ variable: t.variable, decay: t.decay, velocity: tf.tidy(() => tf.variable(tf.zerosLike(t.variable), false)) }));
    this.momentum = tf.keep(tf.scalar(options.momentum ?? 0.9));
    this.weightDecay = tf.keep(tf.scalar(options.weightDecay ?? 3e-5));
  }

  /** The variables it updates, for `tf.variableGrads`. */
  get variables(): Variable[] {
    return this.slots.map((s) => s.variable);
  }

  /** One update from gradients keyed by variable name; variables without a gradient are left alone. */
  step(grads: NamedTensorMap, learningRate: number): void {
    tf.tidy(() => {
      const rate = tf.scalar(-learningRate);
      for (const { variable, decay, velocity } of this.slots) {
        const grad = grads[variable.name];
        if (grad === undefined) continue;
        const decayed = decay ? tf.add(grad, tf.mul(variable, this.weightDecay)) : grad;
        velocity.assign(tf.add(tf.mul(velocity, this.momentum), decayed));
        variable.assign(tf.add(variable, tf.mul(velocity, rate)));
      }
    });
  }

  dispose(): void {
    tf.dispose([this.momentum, this.weightDecay, ...this.slots.map((s) => s.velocity)]);
  }
}
