/**
 * TRADES (Zhang, Yu, Jiao, Xing, El Ghaoui and Jordan 2019, "Theoretically Principled Trade-off
 * between Robustness and Accuracy", arXiv 1901.08573; code yaodongyu/TRADES), L∞:
 *   L(θ) = mean_b [ CE(f(x_b), y_b) + β · KL(softmax f(x_b) ‖ softmax f(x'_b)) ]
 *   x' ≈ argmax_{‖x' − x‖∞ ≤ ε} KL(softmax f(x) ‖ softmax f(x'))
 * Inner maximization as in the reference code: x'⁰ = x + 0.001·N(0, I); then `steps` times
 *   x' ← clip_[0,1]( x + clip_[−ε,ε]( x' + α·sign(∇_{x'} KL(f(x) ‖ f(x'))) − x ) )
 * with f(x) held fixed. In the loss, gradients flow through both f(x) and f(x') (as in the
 * reference, the clean distribution is not detached).
 * Defaults: β 6 (the paper's CIFAR-10 choice; β ∈ [1, 10] trades accuracy for robustness),
 * ε 0.1, 10 steps of α = ε/4 (the reference uses ε 0.031, 10 steps of 0.007 on CIFAR-10 and
 * ε 0.3, 40 steps of 0.01 on MNIST). Crafting in 'eval' BN mode by default (the reference calls
 * model.eval() for the inner maximization).
 * Shapes: x, x' `[B, H, W, C]` in [0, 1]; y `[B]`; logits `[B, K]`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { makeTicker, projectLinf } from '../../attacks/common';
import { forward, logitsFn } from '../../model/forward';
import { derivedDefault } from './catalog';
import { meanCrossEntropy, softmaxKl } from './losses';
import type { Objective } from './types';

export const tradesObjectiveSchema = z.strictObject({
  kind: z.literal('trades'),
  /** L∞ radius ε, pixel units in [0, 1] (default 0.1) */
  eps: z.number().min(0).max(1).default(0.1),
  /** inner-maximization iterations, ≥ 1 (default 10) */
  steps: z.number().int().min(1).default(10),
  /** step size α, pixel units, ≥ 0 (default ε/4, so 0 when ε = 0) */
  stepSize: z.number().min(0).optional(),
  /** weight β ≥ 0 of the KL (robustness) term (default 6) */
  beta: z.number().min(0).default(6),
  /** batch-norm mode while crafting: 'eval' running statistics (default) or 'train' */
  craftMode: z.enum(['train', 'eval']).default('eval'),
});
export type TradesObjectiveConfig = Required<z.output<typeof tradesObjectiveSchema>>;

/** Fills the derived default stepSize = ε/4. */
export function resolveTrades(c: z.output<typeof tradesObjectiveSchema>): TradesObjectiveConfig {
  return { ...c, stepSize: c.stepSize ?? derivedDefault('trades', 'stepSize', { eps: c.eps }) };
}

/** TRADES' inner maximization of the KL (see the file comment). Returns x' the caller owns. */
export async function tradesCraft(
  f: (x: tf.Tensor4D) => tf.Tensor2D,
  x: tf.Tensor4D,
  c: Pick<TradesObjectiveConfig, 'eps' | 'steps' | 'stepSize'>,
  seed: number,
  signal?: { aborted: boolean },
): Promise<tf.Tensor4D> {
  const tick = makeTicker(signal, 'trades');
  const zNat = f(x); // [B, K], fixed target of the inner max
  let xAdv: tf.Tensor4D = tf.tidy(() =>
    tf.add(x, tf.mul(tf.randomNormal(x.shape, 0, 1, 'float32', seed), 0.001)),
  ); // [B, H, W, C]
  try {
    for (let t = 0; t < c.steps; t++) {
      await tick();
      const cur: tf.Tensor4D = xAdv;
      xAdv = tf.tidy(() => {
        const kl = (xa: tf.Tensor): tf.Scalar => tf.sum(softmaxKl(zNat, f(xa as tf.Tensor4D)));
        const g = tf.grad(kl)(cur); // [B, H, W, C]
        return projectLinf(tf.add(cur, tf.mul(tf.sign(g), c.stepSize)), x, c.eps);
      });
      cur.dispose();
    }
  } catch (e) {
    xAdv.dispose();
    throw e;
  } finally {
    zNat.dispose();
  }
  return xAdv;
}

export function tradesObjective(c: TradesObjectiveConfig): Objective {
  return {
    kind: 'trades',
    adversarial: true,
    async craft(model, x, _y, ctx) {
      const f = logitsFn(model, { masks: ctx.masks, training: c.craftMode === 'train' });
      return tradesCraft(f, x, c, ctx.seed, ctx.signal);
    },
    loss(model, x, xAdv, y, fwd) {
      const o = { masks: fwd.masks, training: fwd.training };
      const nat = forward(model, x, o); // logits [B, K]
      const adv = forward(model, xAdv ?? x, o); // logits [B, K]
      const loss = tf.tidy(
        () =>
          tf.add(
            meanCrossEntropy(nat.logits, y),
            tf.mul(tf.mean(softmaxKl(nat.logits, adv.logits)), c.beta),
          ) as tf.Scalar,
      );
      return {
        loss,
        logitsClean: nat.logits,
        logitsAdv: adv.logits,
        bnStats: [nat.bnBatchStats, adv.bnBatchStats],
      };
    },
  };
}
