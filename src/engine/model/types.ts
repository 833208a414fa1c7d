/**
 * The contracts of the model module: explicit parameters, masks, and the functional forward pass.
 * Implementations live beside this file (init.ts, forward.ts, counts.ts, serialize/...).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { ModelSpec } from './spec';

/**
 * Parameter names: `${layer}/kernel`, `${layer}/bias`, and for batch norm `${layer}/bn/gamma`,
 * `${layer}/bn/beta` (trainable) and `${layer}/bn/movingMean`, `${layer}/bn/movingVariance`
 * (running statistics, not trained by gradient). Residual blocks nest: `block1/conv1/kernel`.
 */
export type ParamName = string;

/** A model: its spec, its trainable parameters and its non-trainable state (BN running stats). */
export interface Model {
  spec: ModelSpec;
  /** trainable parameters, in a fixed order (the order of `paramNames(spec)`) */
  params: Map<ParamName, tf.Variable>;
  /** batch-norm running statistics */
  buffers: Map<ParamName, tf.Variable>;
}

/**
 * Masks, keyed by a *weight* (kernel) parameter name. A mask holds 0/1 values and has either
 * - the kernel's full shape (unstructured pruning), or
 * - shape `[out]` (structured: one entry per output channel or unit). A structured mask also
 *   zeroes that unit's bias and batch-norm gamma/beta, so a pruned unit outputs exactly 0.
 */
export type Masks = Map<ParamName, tf.Tensor>;

/** Logits function for attacks and evaluation: x `[B, H, W, C]` in [0, 1] → logits `[B, K]`. */
export type LogitsFn = (x: tf.Tensor4D) => tf.Tensor2D;

export interface ForwardOptions {
  masks?: Masks;
  /** training mode: batch norm uses batch statistics and reports them in `bnBatchStats` */
  training?: boolean;
  /**
   * return every prunable layer's output activation in `taps` (after BN and activation; in a
   * residual block conv1 after BN-ReLU, conv2 and shortcut after BN, before the add)
   */
  tap?: boolean;
  /**
   * Tensors added to prunable layers' outputs (same shape as the activation). Passing zeros and
   * differentiating with respect to them gives ∂L/∂a for the gradient form of the anomaly score.
   */
  inject?: Map<string, tf.Tensor>;
}

export interface ForwardResult {
  logits: tf.Tensor2D;
  /** layer name → activation `[B, H, W, C]` (conv) or `[B, units]` (dense); only with `tap` */
  taps: Map<string, tf.Tensor>;
  /** BN layer name → batch mean and variance (only in training mode) */
  bnBatchStats: Map<string, { mean: tf.Tensor1D; variance: tf.Tensor1D }>;
}
