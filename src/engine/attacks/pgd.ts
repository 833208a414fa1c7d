/**
 * PGD-L∞, Projected Gradient Descent on the L∞ ball (white-box, iterative).
 *   Madry, Makelov, Schmidt, Tsipras, Vladu 2018, "Towards Deep Learning Models Resistant to
 *   Adversarial Attacks", arXiv 1706.06083.
 *
 *   x⁰ = x + U[−ε, ε]^d (random start, clamped to [0, 1]) or x
 *   x^{t+1} = clip_[0,1]( x + clip_[−ε,ε]( x^t + α · sign(∇_x L(f(x^t), y)) − x ) )
 *
 * Loss L: 'ce' (cross-entropy) or 'cw' (C&W margin min(max_{j≠y} z_j − z_y, κ), see cw.ts).
 * Restarts: R independent random starts; per sample the restart that fools the model is kept, or,
 * when none (or several) fool it, the one with the highest final loss. The last iterate of each
 * restart is used (as in Madry et al.).
 *
 * Defaults (registry.ts): MNIST ε 0.3, 40 steps of 0.01; Fashion-MNIST ε 0.1, 20 steps of 0.025
 * (ε/4); CIFAR-10 ε 8/255, 20 steps of 2/255; 1 restart, random start.
 * Shapes: x `[B, H, W, C]` float32 in [0, 1], y `[B]` int32 → x' `[B, H, W, C]`, ‖x' − x‖∞ ≤ ε.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LogitsFn } from '../model/types';
import { Rng } from '../rng';
import {
  allTrue,
  checkAttackInputs,
  disposeAll,
  inputGradient,
  foldRestart,
  makeTicker,
  projectLinf,
  requireClasses,
  type Restart,
} from './common';
import { attackLoss } from './losses';
import { PGD_LINF_FIELDS } from './fields';
import { validateOptions, type SignalOption } from './options';

export interface PgdLinfOptions extends SignalOption {
  /** L∞ radius ε, pixel units in [0, 1] */
  eps: number;
  /** iterations per restart, ≥ 1 */
  steps: number;
  /** step size α, pixel units */
  stepSize: number;
  /** random restarts, ≥ 1 (default 1) */
  restarts?: number;
  /** start uniformly in the ε-ball (default true) */
  randomStart?: boolean;
  /** objective: cross-entropy or C&W margin (default 'ce') */
  loss?: 'ce' | 'cw';
  /** C&W confidence κ for loss 'cw', logit units (default 50) */
  kappa?: number;
  /** seed of the random starts (default 0) */
  seed?: number;
}

/** PGD-L∞ with random restarts. Returns a new tensor; inputs are untouched. */
export async function pgdLinf(
  f: LogitsFn,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  opts: PgdLinfOptions,
): Promise<tf.Tensor4D> {
  const o = validateOptions<Required<PgdLinfOptions>>('pgd-linf', PGD_LINF_FIELDS, opts);
  checkAttackInputs('pgd-linf', x, y);
  if (o.loss === 'cw') requireClasses('pgd-linf', f, x, 2);
  const tick = makeTicker(o.signal, 'pgd-linf');
  const rng = new Rng(o.seed);
  let best: Restart | undefined;
  let xAdv: tf.Tensor4D | undefined;
  try {
    for (let r = 0; r < o.restarts; r++) {
      await tick();
      const seed = rng.seed();
      xAdv = tf.tidy(() => {
        if (!o.randomStart) return tf.clone(x);
        const delta0 = tf.randomUniform(x.shape, -o.eps, o.eps, 'float32', seed); // [B, H, W, C]
        return tf.clipByValue(tf.add<tf.Tensor4D>(x, delta0), 0, 1);
      }); // [B, H, W, C]
      for (let t = 0; t < o.steps; t++) {
        await tick();
        const cur: tf.Tensor4D = xAdv;
        xAdv = tf.tidy(() => {
          const g = inputGradient(f, o.loss, cur, y, o.kappa); // [B, H, W, C]
          const stepped = tf.add(cur, tf.mul(tf.sign(g), o.stepSize)); // step along sign(∇)
          return projectLinf(stepped, x, o.eps); // project onto the ε-ball, clamp to [0, 1]
        });
        cur.dispose();
      }
      best = foldRestart(f, y, best, xAdv, (z) => attackLoss(o.loss, z, y, o.kappa));
      xAdv = undefined; // owned by best now (the catch below must not dispose it)
      if (r + 1 < o.restarts && (await allTrue(best.fooled))) break;
    }
  } catch (e) {
    disposeAll(xAdv, best?.x, best?.fooled, best?.loss);
    throw e;
  }
  if (best === undefined) throw new Error('pgd-linf: no restart ran');
  disposeAll(best.fooled, best.loss);
  return best.x;
}
