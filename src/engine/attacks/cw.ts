/**
 * C&W-L∞: PGD on the L∞ ball maximizing the Carlini–Wagner margin loss (white-box, iterative).
 *   Carlini & Wagner 2017, "Towards Evaluating the Robustness of Neural Networks",
 *   arXiv 1608.04644 (loss f6, untargeted form); used with PGD as the "CW∞" attack of robustness
 *   evaluations (e.g. TRADES, MART).
 *
 *   L(x') = min( max_{j≠y} z_j(x') − z_y(x'), κ )        z = logits, κ ≥ 0 (confidence)
 *   x^{t+1} = clip_[0,1]( x + clip_[−ε,ε]( x^t + α · sign(∇_x L(x^t)) − x ) )
 *
 * This is the original C&W objective with a box-constrained L∞ threat model instead of their
 * L2 penalty + tanh reparametrization; the margin loss does not saturate like the softmax
 * cross-entropy, which makes it stronger against models with very confident (or masked) logits.
 * Defaults: κ = 50 (effectively uncapped), steps/step size as PGD-L∞ for the dataset, random start.
 * Shapes: x `[B, H, W, C]` float32 in [0, 1], y `[B]` int32 → x' `[B, H, W, C]`, ‖x' − x‖∞ ≤ ε.
 * The loop itself is pgdLinf's (pgd.ts) with loss 'cw'.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { LogitsFn } from '../model/types';
import { checkAttackInputs } from './common';
import { CW_LINF_FIELDS } from './fields';
import { validateOptions, type SignalOption } from './options';
import { pgdLinf } from './pgd';

export interface CwLinfOptions extends SignalOption {
  /** L∞ radius ε, pixel units in [0, 1] */
  eps: number;
  /** iterations per restart, ≥ 1 */
  steps: number;
  /** step size α, pixel units */
  stepSize: number;
  /** confidence κ ≥ 0, logit units (default 50) */
  kappa?: number;
  /** random restarts (default 1) */
  restarts?: number;
  /** start uniformly in the ε-ball (default true) */
  randomStart?: boolean;
  /** seed of the random starts (default 0) */
  seed?: number;
}

/** C&W margin-loss PGD-L∞. Returns a new tensor; inputs are untouched. */
export async function cwLinf(
  f: LogitsFn,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  opts: CwLinfOptions,
): Promise<tf.Tensor4D> {
  const o = validateOptions<Required<CwLinfOptions>>('cw-linf', CW_LINF_FIELDS, opts);
  checkAttackInputs('cw-linf', x, y);
  return pgdLinf(f, x, y, { ...o, loss: 'cw' });
}
