/**
 * Batch normalization (Ioffe and Szegedy 2015, arXiv 1502.03167) as explicit, differentiable ops,
 * and the update of its running statistics.
 *
 * y = (x − μ) / √(σ² + ε) · γ + β, per channel (last axis). Training mode: μ, σ² are the batch
 * mean and the *biased* batch variance over [B, H, W] (tf.moments). Inference: the running
 * statistics. Running update (PyTorch convention): r ← (1 − momentum)·r + momentum·batch, with
 * momentum 0.1 by default; the running variance is fed the biased batch variance (Keras/tfjs
 * convention; PyTorch feeds the unbiased one, a factor n/(n−1) with n = B·H·W).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ModelInputError } from './errors';
import type { Model } from './types';

/** ε of every batch norm (PyTorch's default, so exported weights behave the same there). */
export const BN_EPSILON = 1e-5;

/** Normalize `x` `[..., C]` with per-channel `mean`, `variance`, `gamma`, `beta` `[C]`. */
export function batchNormApply(
  x: tf.Tensor,
  mean: tf.Tensor,
  variance: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
): tf.Tensor {
  const scale = tf.mul(tf.rsqrt(tf.add(variance, BN_EPSILON)), gamma); // [C]
  return tf.add(tf.mul(tf.sub(x, mean), scale), beta); // same shape as x
}

/** Batch mean and biased variance of `x` `[..., C]` over every axis but the last: `[C]` each. */
export function batchMoments(x: tf.Tensor): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  return { mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

/**
 * Fold batch statistics (from `forward(..., { training: true }).bnBatchStats`) into the model's
 * running statistics: r ← (1 − momentum)·r + momentum·batch. `momentum` in [0, 1], default 0.1.
 * Keys are BN names (`conv1/bn`, `block1/conv2/bn`). Does not dispose `bnBatchStats`.
 */
export function updateBnRunningStats(
  model: Model,
  bnBatchStats: Map<string, { mean: tf.Tensor1D; variance: tf.Tensor1D }>,
  momentum = 0.1,
): void {
  if (!(momentum >= 0 && momentum <= 1))
    throw new ModelInputError(`BN momentum must be in [0, 1], got ${momentum}`);
  const targets: [tf.Variable, tf.Tensor1D][] = [];
  for (const [bn, { mean, variance }] of bnBatchStats) {
    const mm = model.buffers.get(`${bn}/movingMean`);
    const mv = model.buffers.get(`${bn}/movingVariance`);
    if (!mm || !mv) throw new ModelInputError(`model has no batch norm '${bn}'`);
    for (const [v, t] of [
      [mm, mean],
      [mv, variance],
    ] as const) {
      if (t.rank !== 1 || t.shape[0] !== v.shape[0])
        throw new ModelInputError(
          `batch stats of '${bn}' have shape [${t.shape}], expected [${v.shape}]`,
        );
      targets.push([v, t]);
    }
  }
  tf.tidy(() => {
    for (const [v, t] of targets) v.assign(tf.add(tf.mul(v, 1 - momentum), tf.mul(t, momentum)));
  });
}
