/**
 * APGD, Auto-PGD (L∞, white-box, step-size-free): APGD-CE and APGD-DLR.
 *   Croce & Hein 2020, "Reliable evaluation of adversarial robustness with an ensemble of diverse
 *   parameter-free attacks" (AutoAttack), ICML 2020, arXiv 2003.01690, Algorithm 1.
 *
 *   x⁰ = clip_[0,1](x + ε·t/‖t‖∞), t ~ U[−1, 1]^d;   η⁰ = 2ε (per sample)
 *   z^{k+1} = P(x^k + η^k · sign(∇L(x^k)))
 *   x^{k+1} = P(x^k + α(z^{k+1} − x^k) + (1 − α)(x^k − x^{k−1})),  α = 0.75 (α = 1 at k = 0)
 *   P = projection onto the ε-ball ∩ [0, 1]^d; the best point x_max (highest loss) is tracked.
 *   At checkpoints w_j (p₀ = 0, p₁ = 0.22, p_{j+1} = p_j + max(p_j − p_{j−1} − 0.03, 0.06),
 *   w_j = p_j·N) the step size of a sample is halved, and its iterate restarts from x_max, if
 *   (1) Σ_{i=w_{j−1}}^{w_j−1} 1[L(x^{i+1}) > L(x^i)] ≤ ρ·(w_j − w_{j−1}), ρ = 0.75, or
 *   (2) η was not reduced at w_{j−1} and L_max did not improve since w_{j−1}.
 *   Checkpoint lengths use the reference code's integer form: first ⌊0.22N⌋, then decrease by
 *   ⌊0.03N⌋ down to ⌊0.06N⌋ (each at least 1) — for N = 100: 22, 41, 57, 70, 80, 87, 93, 99.
 *   (Condition 1 uses ≤ as the reference code does; the paper writes <.)
 *
 * Losses: CE, or DLR = −(z_y − max_{i≠y} z_i)/(z_π1 − z_π3 + 1e-12) (needs ≥ 3 classes).
 * Output per sample: the last iterate that fooled the model if any did, else x_max. The loop ends
 * early once every sample is fooled (checked at checkpoints). Default N = 100 iterations.
 * Shapes: x `[B, H, W, C]` float32 in [0, 1], y `[B]` int32 → x' `[B, H, W, C]`, ‖x' − x‖∞ ≤ ε.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LogitsFn } from '../model/types';
import { Rng } from '../rng';
import {
  checkAttackInputs,
  disposeAll,
  lossLogitsGrad,
  makeTicker,
  misclassified,
  projectLinf,
  requireClasses,
  selectRows,
} from './common';
import { APGD_FIELDS } from './fields';
import { validateOptions, type SignalOption } from './options';

export interface ApgdOptions extends SignalOption {
  /** L∞ radius ε, pixel units in [0, 1] */
  eps: number;
  /** iterations N (default 100) */
  steps?: number;
  /** seed of the random start (default 0) */
  seed?: number;
}

/** The constants of Algorithm 1 (not options: the method is meant to be parameter-free). */
export const APGD_CONSTANTS = {
  momentum: 0.75,
  rho: 0.75,
  p1: 0.22,
  decrease: 0.03,
  minLength: 0.06,
};

/** Iteration counts after which the step-size checks run (the checkpoints w_j ≤ N, j ≥ 1). */
export function apgdCheckpoints(nIter: number): number[] {
  const c = APGD_CONSTANTS;
  const decrease = Math.max(Math.floor(c.decrease * nIter), 1);
  const minLength = Math.max(Math.floor(c.minLength * nIter), 1);
  const out: number[] = [];
  let length = Math.max(Math.floor(c.p1 * nIter), 1);
  for (let w = length; w <= nIter; w += length) {
    out.push(w);
    length = Math.max(length - decrease, minLength);
  }
  return out;
}

interface State {
  xAdv: tf.Tensor4D; // current iterate x^k
  xOld: tf.Tensor4D; // previous iterate x^{k−1}
  grad: tf.Tensor4D; // ∇L(x^k)
  loss: tf.Tensor1D; // L(x^k)
  xBest: tf.Tensor4D; // x_max
  gradBest: tf.Tensor4D; // ∇L(x_max)
  lossBest: tf.Tensor1D; // L_max
  xFool: tf.Tensor4D; // last iterate that fooled the model (where `fooled`)
  fooled: tf.Tensor1D; // bool, fooled at some iterate
  increases: tf.Tensor1D; // # of loss increases since the last checkpoint
}

async function apgd(
  name: string,
  lossName: 'ce' | 'dlr',
  f: LogitsFn,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  opts: ApgdOptions,
): Promise<tf.Tensor4D> {
  const o = validateOptions<Required<ApgdOptions>>(name, APGD_FIELDS, opts);
  checkAttackInputs(name, x, y);
  requireClasses(name, f, x, lossName === 'dlr' ? 3 : 2);
  const tick = makeTicker(o.signal, name);
  const b = x.shape[0];
  const seed = new Rng(o.seed).seed();
  const checkpoints = new Set(apgdCheckpoints(o.steps));
  const eta = new Float32Array(b).fill(2 * o.eps); // per-sample step size η
  let etaT = tf.tensor4d(eta, [b, 1, 1, 1]); // [B, 1, 1, 1]
  const x0 = tf.tidy(() => {
    const t = tf.randomUniform(x.shape, -1, 1, 'float32', seed); // [B, H, W, C]
    const tMax = tf.max(tf.abs(t), [1, 2, 3], true); // [B, 1, 1, 1]
    return projectLinf(tf.add(x, tf.mul(tf.div(t, tMax), o.eps)), x, o.eps);
  });
  const first = lossLogitsGrad(f, lossName, x0, y);
  const s: State = {
    xAdv: x0,
    xOld: tf.clone(x0),
    grad: first.grad,
    loss: first.loss,
    xBest: tf.clone(x0),
    gradBest: tf.clone(first.grad),
    lossBest: tf.clone(first.loss),
    xFool: tf.clone(x0),
    fooled: misclassified(first.logits, y),
    increases: tf.zeros([b]),
  };
  first.logits.dispose();
  const replace = (next: Partial<State>) => {
    for (const k of Object.keys(next) as (keyof State)[]) {
      if (s[k] !== next[k]) s[k].dispose();
      Object.assign(s, { [k]: next[k] });
    }
  };
  try {
    let lossBestLastCheck = await s.lossBest.data();
    let reducedLastCheck = new Uint8Array(b).fill(1);
    let lastCheck = 0;
    for (let i = 0; i < o.steps; i++) {
      await tick();
      const a = i > 0 ? APGD_CONSTANTS.momentum : 1;
      const xNew = tf.tidy(() => {
        const z = projectLinf(tf.add(s.xAdv, tf.mul(etaT, tf.sign(s.grad))), x, o.eps); // z^{k+1}
        const toZ = tf.mul(tf.sub(z, s.xAdv), a); // α(z − x^k)
        const mom = tf.mul(tf.sub(s.xAdv, s.xOld), 1 - a); // (1 − α)(x^k − x^{k−1})
        return projectLinf(tf.add(tf.add(s.xAdv, toZ), mom), x, o.eps); // x^{k+1}
      });
      const r = lossLogitsGrad(f, lossName, xNew, y);
      const upd = tf.tidy(() => {
        const wrong = misclassified(r.logits, y); // [B]
        const improved = tf.greater(r.loss, s.lossBest) as tf.Tensor1D; // [B]
        return {
          xFool: selectRows(wrong, xNew, s.xFool),
          fooled: tf.logicalOr(s.fooled, wrong) as tf.Tensor1D,
          increases: tf.add<tf.Tensor1D>(
            s.increases,
            tf.cast(tf.greater(r.loss, s.loss), 'float32'),
          ),
          xBest: selectRows(improved, xNew, s.xBest),
          gradBest: selectRows(improved, r.grad, s.gradBest),
          lossBest: tf.where(improved, r.loss, s.lossBest) as tf.Tensor1D,
        };
      });
      r.logits.dispose();
      replace({ ...upd, xOld: s.xAdv });
      Object.assign(s, { xAdv: xNew }); // the old xAdv lives on as xOld
      replace({ grad: r.grad, loss: r.loss });
      if (!checkpoints.has(i + 1)) continue;
      // Checkpoint: halve η and restart from x_max where progress stalled.
      const length = i + 1 - lastCheck;
      lastCheck = i + 1;
      const inc = await s.increases.data();
      const lossBest = await s.lossBest.data();
      const flags = new Uint8Array(b);
      for (let j = 0; j < b; j++) {
        const oscillating = inc[j] <= APGD_CONSTANTS.rho * length; // condition 1
        const stalled = reducedLastCheck[j] === 0 && lossBestLastCheck[j] >= lossBest[j]; // cond. 2
        flags[j] = oscillating || stalled ? 1 : 0;
        if (flags[j]) eta[j] /= 2;
      }
      reducedLastCheck = flags;
      lossBestLastCheck = lossBest;
      replace({ increases: tf.zeros([b]) });
      if (flags.some((v) => v === 1)) {
        etaT.dispose();
        etaT = tf.tensor4d(eta, [b, 1, 1, 1]);
        const flagT = tf.tensor1d(flags, 'bool');
        replace({
          xAdv: selectRows(flagT, s.xBest, s.xAdv),
          grad: selectRows(flagT, s.gradBest, s.grad),
        });
        flagT.dispose();
      }
      if ((await s.fooled.data()).every((v) => v !== 0)) break;
    }
    return selectRows(s.fooled, s.xFool, s.xBest);
  } finally {
    etaT.dispose();
    disposeAll(...Object.values(s));
  }
}

/** APGD-CE: Auto-PGD on the cross-entropy. Returns a new tensor; inputs are untouched. */
export function apgdCe(
  f: LogitsFn,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  opts: ApgdOptions,
): Promise<tf.Tensor4D> {
  return apgd('apgd-ce', 'ce', f, x, y, opts);
}

/** APGD-DLR: Auto-PGD on the DLR loss (needs ≥ 3 classes). Returns a new tensor. */
export function apgdDlr(
  f: LogitsFn,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  opts: ApgdOptions,
): Promise<tf.Tensor4D> {
  return apgd('apgd-dlr', 'dlr', f, x, y, opts);
}
