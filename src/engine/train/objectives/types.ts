/**
 * The contract every training objective meets. One step of adversarial training is
 *   1. `craft(model, x, y, ctx)`: the adversarial inputs x' (outside any gradient tape: attacks
 *      take their own input gradients), or null for standard training;
 *   2. `loss(model, x, x', y, fwd)`: the batch-mean loss, computed inside the parameter-gradient
 *      tape with the model in training mode (`fwd.training` true, `fwd.masks` applied).
 *
 * Shapes: x, x' `[B, H, W, C]` float32 pixels in [0, 1]; y `[B]` int32 in [0, K); logits
 * `[B, K]`; loss a scalar in nats. `craft` returns a tensor the caller owns; `loss` returns
 * tensors owned by the enclosing tape/tidy (keep what must outlive it).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { AbortFlag } from '../../attacks/options';
import type { ForwardOptions, ForwardResult, Masks, Model } from '../../model/types';

/** Batch-norm statistics of one training-mode forward (model/types.ts ForwardResult). */
export type BnStats = ForwardResult['bnBatchStats'];

export interface CraftContext {
  /** masks applied in every forward of the attack */
  masks?: Masks;
  /** seed of this step's randomness (random start), an integer in [0, 2³¹) */
  seed: number;
  /** cancels a long attack between iterations */
  signal?: AbortFlag;
}

export interface LossResult {
  /** batch-mean training loss, nats */
  loss: tf.Scalar;
  /** logits of the clean batch `[B, K]` when the loss computed them, else null */
  logitsClean: tf.Tensor2D | null;
  /** logits of the adversarial batch `[B, K]` when the loss computed them, else null */
  logitsAdv: tf.Tensor2D | null;
  /** BN batch statistics of each training-mode forward, in the order they ran */
  bnStats: BnStats[];
}

export interface Objective {
  /** 'standard' | 'pgd-at' | 'trades' | 'fgsm-rs' */
  readonly kind: string;
  /** whether `craft` produces adversarial inputs (false: standard training) */
  readonly adversarial: boolean;
  /** adversarial inputs x' `[B, H, W, C]` with ‖x' − x‖∞ ≤ ε, or null; caller disposes */
  craft(
    model: Model,
    x: tf.Tensor4D,
    y: tf.Tensor1D,
    ctx: CraftContext,
  ): Promise<tf.Tensor4D | null>;
  /** the loss to differentiate; `xAdv` is null for standard training */
  loss(
    model: Model,
    x: tf.Tensor4D,
    xAdv: tf.Tensor4D | null,
    y: tf.Tensor1D,
    fwd: ForwardOptions,
  ): LossResult;
}
