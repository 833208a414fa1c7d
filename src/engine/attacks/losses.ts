/**
 * Per-sample attack losses on logits z `[B, K]` and int32 labels y `[B]`; each returns `[B]`
 * (larger = more adversarial, except `margin`, which the Square Attack minimizes).
 *
 * - cross-entropy:  CE = log Σ_j exp z_j − z_y
 * - C&W margin (Carlini & Wagner 2017, arXiv 1608.04644, loss f6, untargeted):
 *     min(max_{j≠y} z_j − z_y, κ)   (κ ≥ 0 caps the loss once the point is misclassified by κ)
 * - margin (Square Attack, Andriushchenko et al. 2020, arXiv 1912.00049): z_y − max_{j≠y} z_j,
 *     ≤ 0 once misclassified
 * - DLR (Croce & Hein 2020, arXiv 2003.01690): −(z_y − max_{i≠y} z_i) / (z_π1 − z_π3 + 1e-12),
 *     π sorting z in decreasing order; invariant to shifting and scaling the logits; needs K ≥ 3.
 *
 * All are differentiable through tfjs ops (TopK has no gradient, so the order statistics use
 * argMax + oneHot masks).
 */
import * as tf from '@tensorflow/tfjs-core';
import { SOFTMAX_CE, hasSoftmaxCEKernel } from '../backend/kernels/softmax-ce';
import { AttackInputError } from './errors';

/** The attack objectives a gradient attack can maximize. */
export type LossName = 'ce' | 'cw' | 'dlr';

/**
 * Stand-in for −∞ when masking logits out of a max (finite, so backends that mishandle
 * infinities in textures behave). Never selected: at least one column stays unmasked.
 */
const MASKED = -1e30;

/** One-hot mask of the labels as bool `[B, K]`. */
function labelMask(z: tf.Tensor2D, y: tf.Tensor1D): tf.Tensor2D {
  return tf.cast(tf.oneHot(y, z.shape[1]), 'bool') as tf.Tensor2D; // [B, K]
}

/** max over the columns where `mask` is false: `[B]`. */
function maxExcluding(z: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor1D {
  const masked = tf.fill(z.shape, MASKED); // [B, K]
  return tf.max(tf.where(mask, masked, z), 1) as tf.Tensor1D; // [B]
}

/** z_y: `[B]`. */
function trueLogit(z: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(tf.mul(z, tf.cast(mask, 'float32')), 1) as tf.Tensor1D; // [B]
}

/**
 * Softmax cross-entropy per sample, `[B]`, in nats. On WASM with our kernels attached, one kernel
 * and one for its gradient (src/engine/backend/kernels/softmax-ce.ts); elsewhere tfjs ops.
 */
export function crossEntropy(z: tf.Tensor2D, y: tf.Tensor1D): tf.Tensor1D {
  if (z.dtype === 'float32' && y.dtype === 'int32' && hasSoftmaxCEKernel()) {
    return tf.engine().runKernel(SOFTMAX_CE, { z, y }) as tf.Tensor1D; // [B]
  }
  return tf.tidy(() => tf.sub(tf.logSumExp(z, 1), trueLogit(z, labelMask(z, y))) as tf.Tensor1D);
}

/** Square-attack margin z_y − max_{j≠y} z_j, `[B]` (negative = misclassified). Needs K ≥ 2. */
export function margin(z: tf.Tensor2D, y: tf.Tensor1D): tf.Tensor1D {
  if (z.shape[1] < 2)
    throw new AttackInputError(`margin loss needs ≥ 2 classes, got ${z.shape[1]}`);
  return tf.tidy(() => {
    const mask = labelMask(z, y);
    return tf.sub(trueLogit(z, mask), maxExcluding(z, mask)) as tf.Tensor1D; // [B]
  });
}

/** C&W margin loss min(max_{j≠y} z_j − z_y, κ), `[B]`, logit units. Needs K ≥ 2, κ ≥ 0. */
export function cwMargin(z: tf.Tensor2D, y: tf.Tensor1D, kappa: number): tf.Tensor1D {
  return tf.tidy(() => tf.minimum(tf.neg(margin(z, y)), kappa) as tf.Tensor1D);
}

/** Difference of Logits Ratio loss, `[B]`, dimensionless. Needs K ≥ 3. */
export function dlr(z: tf.Tensor2D, y: tf.Tensor1D): tf.Tensor1D {
  const k = z.shape[1];
  if (k < 3) throw new AttackInputError(`DLR loss needs ≥ 3 classes, got ${k}`);
  return tf.tidy(() => {
    const mask = labelMask(z, y); // [B, K]
    const numerator = tf.sub(trueLogit(z, mask), maxExcluding(z, mask)); // [B]
    const first = tf.cast(tf.oneHot(tf.argMax(z, 1), k), 'bool'); // [B, K] mask of π1
    const masked = tf.fill(z.shape, MASKED); // [B, K]
    const without1 = tf.where(first, masked, z); // [B, K]
    const second = tf.cast(tf.oneHot(tf.argMax(without1, 1), k), 'bool'); // [B, K] mask of π2
    const z1 = tf.max(z, 1); // [B]
    const z3 = tf.max(tf.where(second, masked, without1), 1); // [B]
    return tf.neg(tf.div(numerator, tf.add(tf.sub(z1, z3), 1e-12))) as tf.Tensor1D; // [B]
  });
}

/** The per-sample loss named `name` (κ only for 'cw'). */
export function attackLoss(name: LossName, z: tf.Tensor2D, y: tf.Tensor1D, kappa = 0): tf.Tensor1D {
  switch (name) {
    case 'ce':
      return crossEntropy(z, y);
    case 'cw':
      return cwMargin(z, y, kappa);
    case 'dlr':
      return dlr(z, y);
  }
}
