/**
 * MI-FGSM, Momentum Iterative FGSM (L∞, white-box, iterative; built for transferability).
 *   Dong, Liao, Pang, Su, Zhu, Hu, Li 2018, "Boosting Adversarial Attacks with Momentum",
 *   arXiv 1710.06081:
 *
 *   g⁰ = 0,  x⁰ = x
 *   g^{t+1} = μ · g^t + ∇_x CE(f(x^t), y) / ‖∇_x CE(f(x^t), y)‖₁      (L1 norm per sample)
 *   x^{t+1} = clip_[0,1]( x + clip_[−ε,ε]( x^t + α · sign(g^{t+1}) − x ) )
 *
 * Defaults: μ = 1.0 (decay), T = 10 steps, α = ε / T (the paper's choice), no random start.
 * Shapes: x `[B, H, W, C]` float32 in [0, 1], y `[B]` int32 → x' `[B, H, W, C]`, ‖x' − x‖∞ ≤ ε.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LogitsFn } from '../model/types';
import { checkAttackInputs, disposeAll, inputGradient, makeTicker, projectLinf } from './common';
import { MIFGSM_FIELDS } from './fields';
import { validateOptions, type SignalOption } from './options';

export interface MiFgsmOptions extends SignalOption {
  /** L∞ radius ε, pixel units in [0, 1] */
  eps: number;
  /** iterations T, ≥ 1 */
  steps: number;
  /** step size α, pixel units; the paper uses ε / T */
  stepSize: number;
  /** momentum decay μ ≥ 0 (default 1.0) */
  decay?: number;
}

/** MI-FGSM. Deterministic (no random start). Returns a new tensor; inputs are untouched. */
export async function miFgsm(
  f: LogitsFn,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  opts: MiFgsmOptions,
): Promise<tf.Tensor4D> {
  const o = validateOptions<Required<MiFgsmOptions>>('mifgsm', MIFGSM_FIELDS, opts);
  checkAttackInputs('mifgsm', x, y);
  const tick = makeTicker(o.signal, 'mifgsm');
  let xAdv: tf.Tensor4D = tf.clone(x); // [B, H, W, C]
  let momentum: tf.Tensor4D = tf.zerosLike(x); // [B, H, W, C]
  try {
    for (let t = 0; t < o.steps; t++) {
      await tick();
      const cur = xAdv;
      const mom = momentum;
      const next = tf.tidy(() => {
        const g = inputGradient(f, 'ce', cur, y); // [B, H, W, C]
        const l1 = tf.sum(tf.abs(g), [1, 2, 3], true); // [B, 1, 1, 1]
        const m = tf.add(tf.mul(mom, o.decay), tf.div(g, tf.add(l1, 1e-12))); // momentum
        const stepped = tf.add(cur, tf.mul(tf.sign(m), o.stepSize)); // step
        return { m, x: projectLinf(stepped, x, o.eps) }; // project, clamp to [0, 1]
      });
      xAdv = next.x;
      momentum = next.m as tf.Tensor4D;
      disposeAll(cur, mom);
    }
  } catch (e) {
    disposeAll(xAdv, momentum);
    throw e;
  }
  momentum.dispose();
  return xAdv;
}
