/**
 * PGD-L2, Projected Gradient Descent on the L2 ball (white-box, iterative).
 *   Madry, Makelov, Schmidt, Tsipras, Vladu 2018, arXiv 1706.06083 (the L2 variant of their PGD).
 *
 *   x⁰ = clip_[0,1](x + δ₀), δ₀ uniform in the L2 ball of radius ε (direction ~ N(0, I)
 *        normalized, radius ε·u^{1/d}, u ~ U[0, 1]), or x without random start
 *   g = ∇_x CE(f(x^t), y)
 *   x^{t+1} = clip_[0,1]( x + Π_ε( x^t + α · g / ‖g‖₂ − x ) ),   Π_ε(δ) = δ · min(1, ε / ‖δ‖₂)
 *
 * Norms are per sample over all H·W·C pixels. Restarts as in pgd.ts (per sample: the restart that
 * fools, else the highest final cross-entropy).
 * Defaults (registry.ts): ε 2.0 MNIST, 1.0 Fashion-MNIST, 0.5 CIFAR-10; steps as PGD-L∞;
 * α = 2.5 ε / steps (Madry et al.'s rule).
 * Shapes: x `[B, H, W, C]` float32 in [0, 1], y `[B]` int32 → x' `[B, H, W, C]`, ‖x' − x‖₂ ≤ ε.
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
  l2Norm4,
  makeTicker,
  projectL2,
  type Restart,
} from './common';
import { crossEntropy } from './losses';
import { PGD_L2_FIELDS } from './fields';
import { validateOptions, type SignalOption } from './options';

export interface PgdL2Options extends SignalOption {
  /** L2 radius ε of the whole-image perturbation, pixels in [0, 1] */
  eps: number;
  /** iterations per restart, ≥ 1 */
  steps: number;
  /** L2 length α of each step */
  stepSize: number;
  /** random restarts, ≥ 1 (default 1) */
  restarts?: number;
  /** start uniformly in the ε-ball (default true) */
  randomStart?: boolean;
  /** seed of the random starts (default 0) */
  seed?: number;
}

/** A point drawn uniformly from the L2 ball of radius eps around x, clamped to [0, 1]. */
function randomL2Start(x: tf.Tensor4D, eps: number, rng: Rng): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const d = h * w * c;
  const s1 = rng.seed();
  const s2 = rng.seed();
  return tf.tidy(() => {
    const dir = tf.randomNormal(x.shape, 0, 1, 'float32', s1); // [B, H, W, C]
    const unit = tf.div(dir, tf.add(l2Norm4(dir as tf.Tensor4D), 1e-12)); // [B, H, W, C], ‖·‖₂ = 1
    const u = tf.randomUniform([b, 1, 1, 1], 0, 1, 'float32', s2); // [B, 1, 1, 1]
    const radius = tf.mul(tf.pow(u, 1 / d), eps); // [B, 1, 1, 1]
    return projectL2(tf.add(x, tf.mul(unit, radius)), x, eps);
  });
}

/** PGD-L2 with random restarts. Returns a new tensor; inputs are untouched. */
export async function pgdL2(
  f: LogitsFn,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  opts: PgdL2Options,
): Promise<tf.Tensor4D> {
  const o = validateOptions<Required<PgdL2Options>>('pgd-l2', PGD_L2_FIELDS, opts);
  checkAttackInputs('pgd-l2', x, y);
  const tick = makeTicker(o.signal, 'pgd-l2');
  const rng = new Rng(o.seed);
  let best: Restart | undefined;
  let xAdv: tf.Tensor4D | undefined;
  try {
    for (let r = 0; r < o.restarts; r++) {
      await tick();
      xAdv = o.randomStart ? randomL2Start(x, o.eps, rng) : tf.clone(x); // [B, H, W, C]
      for (let t = 0; t < o.steps; t++) {
        await tick();
        const cur: tf.Tensor4D = xAdv;
        xAdv = tf.tidy(() => {
          const g = inputGradient(f, 'ce', cur, y); // [B, H, W, C]
          const unitG = tf.div(g, tf.add(l2Norm4(g), 1e-12)); // [B, H, W, C], ‖·‖₂ ≤ 1
          const stepped = tf.add(cur, tf.mul(unitG, o.stepSize)); // step
          return projectL2(stepped, x, o.eps); // project onto the L2 ball, clamp to [0, 1]
        });
        cur.dispose();
      }
      best = foldRestart(f, y, best, xAdv, (z) => crossEntropy(z, y));
      xAdv = undefined; // owned by best now (the catch below must not dispose it)
      if (r + 1 < o.restarts && (await allTrue(best.fooled))) break;
    }
  } catch (e) {
    disposeAll(xAdv, best?.x, best?.fooled, best?.loss);
    throw e;
  }
  if (best === undefined) throw new Error('pgd-l2: no restart ran');
  disposeAll(best.fooled, best.loss);
  return best.x;
}
