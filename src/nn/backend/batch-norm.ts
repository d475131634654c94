import * as tf from '@tensorflow/tfjs';
import type { Tensor, Tensor1D, Tensor4D } from '@tensorflow/tfjs';

export interface BatchNormTrainResult {
  y: Tensor4D;
  /** Batch statistics for updating running averages; no gradient flows through them. */
  mean: Tensor1D;
  /** Biased (divided by N*H*W) batch variance, as batch normalisation itself uses. */
  variance: Tensor1D;
}

/**
 * Mean over N, H and W of an NHWC tensor as one average pool over all pixels: pooling reads memory in order,
 * where tfjs's Mean over leading axes first transposes the whole tensor.
 */
function channelMean(x: Tensor4D): Tensor1D {
  const channels = x.shape[3];
  const pixels = x.size / channels;
  const column = tf.reshape<tf.Rank.R4>(x, [1, pixels, 1, channels]);
  return tf.reshape<tf.Rank.R1>(tf.avgPool(column, [pixels, 1], 1, 'valid'), [channels]);
}

/**
 * Training-mode batch normalisation of an NHWC tensor with statistics over N, H and W. Its gradient is the
 * closed form dx = gamma/std * (dy - mean(dy) - xhat * mean(dy * xhat)), dgamma = sum(dy * xhat),
 * dbeta = sum(dy): no Tile and no leading-axis reductions, unlike differentiating tf.moments and tf.batchNorm.
 */
export function batchNormTrain(x: Tensor4D, gamma: Tensor1D, beta: Tensor1D, eps: number): BatchNormTrainResult {
  let statistics: [Tensor1D, Tensor1D] | undefined;
  const normalise = tf.customGrad((...args: (Tensor | tf.GradSaveFunc)[]) => {
    const [input, scale, shift] = args as [Tensor4D, Tensor1D, Tensor1D];
    const save = args[3] as tf.GradSaveFunc;
    const mean = channelMean(input);
    const centred = tf.sub<Tensor4D>(input, mean);
    const variance = channelMean(tf.square(centred));
    const invStd = tf.rsqrt(tf.add<Tensor1D>(variance, eps));
    const gain = tf.mul<Tensor1D>(scale, invStd);
    // xhat = centred * invStd is never formed: folding invStd into per-channel factors saves a full pass.
    save([centred, invStd, gain]);
    // customGrad allows one output only, so the statistics leave through the closure, kept from its tidy.
    statistics = [tf.keep(mean), tf.keep(variance)];
    return {
      value: tf.add<Tensor4D>(tf.mul(centred, gain), shift),
      gradFunc: (upstream: Tensor, saved: Tensor[]) => {
        const dy = upstream as Tensor4D;
        const [savedCentred, savedInvStd, savedGain] = saved as [Tensor4D, Tensor1D, Tensor1D];
        const pixels = dy.size / dy.shape[3];
        const dyMean = channelMean(dy);
        const dyXhatMean = tf.mul<Tensor1D>(channelMean(tf.mul<Tensor4D>(dy, savedCentred)), savedInvStd);
        const residual = tf.sub(tf.sub(dy, dyMean), tf.mul(savedCentred, tf.mul(dyXhatMean, savedInvStd)));
        return [tf.mul(residual, savedGain), tf.mul(dyXhatMean, pixels), tf.mul(dyMean, pixels)];
      },
    };
  });
  const y = normalise(x, gamma, beta) as Tensor4D;
  const [keptMean, keptVariance] = statistics as [Tensor1D, Tensor1D];
  // Clones belong to the caller's scope, so the statistics are freed by its tidy like any other result.
  const result = { y, mean: keptMean.clone(), variance: keptVariance.clone() };
  keptMean.dispose();
  keptVariance.dispose();
  return result;
}
