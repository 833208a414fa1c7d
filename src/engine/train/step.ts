/**
 * One optimizer step of (adversarial) training:
 *   x' = objective.craft(x, y)            outside the tape (the attack takes input gradients)
 *   L, ∇θL = variableGrads(objective.loss(x, x', y), θ)     model in training mode, masks on
 *   read [L, finite(L, ∇θL), clean correct, adversarial correct] (one small async read)
 *   if finite: θ ← optimizer(θ, ∇θL, lr) (masked), fold BN batch statistics into running ones
 * A non-finite loss or gradient skips the update, so the model keeps the weights that produced
 * the last finite step. The one read per step is the loss the progress stream shows anyway.
 * Shapes: x `[B, H, W, C]` in [0, 1]; y `[B]` int32.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AbortFlag } from '../attacks/options';
import { forward, updateBnRunningStats } from '../model/forward';
import type { Masks, Model, ParamName } from '../model/types';
import type { ParamMasks } from './masking';
import { correctCount } from './objectives/losses';
import type { BnStats, Objective } from './objectives';
import { applyGradients, type Optimizer } from './optimizers';

export interface StepContext {
  model: Model;
  objective: Objective;
  optimizer: Optimizer;
  masks: Masks | undefined;
  /** masks expanded to every masked parameter (masking.ts) */
  paramMasks: ParamMasks;
  /** BN running-statistics momentum in [0, 1] */
  bnMomentum: number;
  signal?: AbortFlag;
}

export interface StepOutcome {
  /** false when the loss or a gradient was NaN/±Inf (no update applied) */
  finite: boolean;
  /** batch-mean loss, nats (may be NaN when !finite) */
  loss: number;
  /** correctly classified clean samples of the batch */
  cleanCorrect: number;
  /** correctly classified adversarial samples, or null for standard training */
  advCorrect: number | null;
}

function keepStats(stats: BnStats): BnStats {
  for (const { mean, variance } of stats.values()) {
    tf.keep(mean);
    tf.keep(variance);
  }
  return stats;
}

/**
 * Runs one step at learning rate `lr` (≥ 0). `seed` drives the attack's random start.
 * Disposes everything it creates; never disposes x or y.
 */
export async function trainStep(
  ctx: StepContext,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  lr: number,
  seed: number,
): Promise<StepOutcome> {
  const { model, objective } = ctx;
  const names: ParamName[] = [...model.params.keys()];
  const vars = names.map((n) => model.params.get(n) as tf.Variable);
  const owned: tf.Tensor[] = [];
  let bnStats: BnStats[] = [];
  try {
    const xAdv = await objective.craft(model, x, y, { masks: ctx.masks, seed, signal: ctx.signal });
    if (xAdv) owned.push(xAdv);
    let logitsClean: tf.Tensor2D | null = null;
    let logitsAdv: tf.Tensor2D | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const r = objective.loss(model, x, xAdv, y, { masks: ctx.masks, training: true });
      logitsClean = r.logitsClean ? tf.keep(r.logitsClean) : null;
      logitsAdv = r.logitsAdv ? tf.keep(r.logitsAdv) : null;
      bnStats = r.bnStats.map(keepStats);
      return r.loss;
    }, vars);
    owned.push(value, ...Object.values(grads));
    for (const s of bnStats)
      for (const { mean, variance } of s.values()) owned.push(mean, variance);
    const zAdv = logitsAdv as tf.Tensor2D | null;
    let zClean = logitsClean as tf.Tensor2D | null;
    if (zClean === null) {
      // clean accuracy for the progress stream: training-mode BN, statistics discarded
      zClean = tf.tidy(() => forward(model, x, { masks: ctx.masks, training: true }).logits);
    }
    owned.push(zClean);
    if (zAdv) owned.push(zAdv);
    const gradMap = new Map<ParamName, tf.Tensor>();
    names.forEach((n, i) => {
      const g = grads[vars[i].name];
      if (g) gradMap.set(n, g);
    });
    const summary = tf.tidy(() => {
      let ok = tf.all(tf.isFinite(value)); // bool scalar
      for (const g of gradMap.values()) ok = tf.logicalAnd(ok, tf.all(tf.isFinite(g)));
      return tf.stack([
        value,
        tf.cast(ok, 'float32'),
        correctCount(zClean as tf.Tensor2D, y),
        zAdv ? correctCount(zAdv, y) : tf.scalar(-1),
      ]); // [4]
    });
    owned.push(summary);
    const [loss, ok, cc, ac] = await summary.data();
    const finite = ok === 1;
    if (finite) {
      applyGradients(ctx.optimizer, model.params, gradMap, lr, ctx.paramMasks);
      for (const s of bnStats) if (s.size > 0) updateBnRunningStats(model, s, ctx.bnMomentum);
    }
    return { finite, loss, cleanCorrect: cc, advCorrect: zAdv ? ac : null };
  } finally {
    for (const t of owned) if (!t.isDisposed) t.dispose();
  }
}
