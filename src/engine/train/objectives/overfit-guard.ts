/**
 * Catastrophic-overfitting guard for FGSM-based training (Wong, Rice and Kolter 2020, arXiv
 * 2001.03994, §5.2: "catastrophic overfitting": PGD accuracy suddenly collapses to near 0 while
 * FGSM accuracy rises; they early-stop when the PGD accuracy of a training batch drops by more
 * than 0.2 from the previous check and keep the weights of that previous check).
 *
 * A check measures, on a fixed small check batch (the first `batchSize` validation samples, or
 * training samples without a validation set), the accuracy under PGD-L∞ (`pgdSteps` steps of
 * `pgdStepSize`, one random start, fixed seed) and under plain FGSM, in inference BN mode.
 * The run has collapsed when, with `prev` the previous check and `best` the best so far,
 *   prev − acc > maxDrop                            (Wong et al.'s rule, maxDrop 0.2), or
 *   best ≥ minBest and acc < minFractionOfBest·best (a slower slide; defaults 0.2 and 0.25).
 * Defaults: every epoch end, 128 samples, 5 PGD steps of ε/4 (the paper's check: 5 steps of
 * 2/255 at ε 8/255).
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { fgsm } from '../../attacks/fgsm';
import { pgdLinf } from '../../attacks/pgd';
import { logitsFn } from '../../model/forward';
import type { Masks, Model } from '../../model/types';
import { correctCount } from './losses';

export const guardSchema = z.strictObject({
  /** run the guard (default true) */
  enabled: z.boolean().default(true),
  /** check every this many steps; 0 = at every epoch end (default 0) */
  everySteps: z.number().int().min(0).default(0),
  /** size of the fixed check batch, ≥ 1 (default 128) */
  batchSize: z.number().int().min(1).default(128),
  /** PGD iterations of the check, ≥ 1 (default 5) */
  pgdSteps: z.number().int().min(1).default(5),
  /** PGD step size, pixel units (default ε/4) */
  pgdStepSize: z.number().min(0).optional(),
  /** largest allowed drop of PGD accuracy from the previous check, in [0, 1] (default 0.2) */
  maxDrop: z.number().min(0).max(1).default(0.2),
  /** collapse when accuracy < this fraction of the best, in [0, 1) (default 0.25; 0 = off) */
  minFractionOfBest: z.number().min(0).lt(1).default(0.25),
  /** the fraction rule applies once the best accuracy reaches this, in [0, 1] (default 0.2) */
  minBest: z.number().min(0).max(1).default(0.2),
});
export type GuardConfig = Required<z.output<typeof guardSchema>>;

/** One check's result: accuracies on the check batch, in [0, 1]. */
export interface GuardCheck {
  pgdAcc: number;
  /** FGSM accuracy (for the warning; not used by the rule); null when not measured */
  fgsmAcc: number | null;
}

/** Plain-data guard state (in checkpoints). */
export interface GuardState {
  /** PGD accuracy of the previous check, null before the first */
  prev: number | null;
  /** best PGD accuracy so far, null before the first check */
  best: number | null;
  /** every check so far, with the global step it ran after */
  history: (GuardCheck & { step: number })[];
}

export function createGuardState(): GuardState {
  return { prev: null, best: null, history: [] };
}

/**
 * Folds one check into the state; pure. `collapsed` with a human-readable `reason` when the rule
 * fires (the state then still records the check).
 */
export function guardUpdate(
  state: GuardState,
  check: GuardCheck,
  step: number,
  cfg: Pick<GuardConfig, 'maxDrop' | 'minFractionOfBest' | 'minBest'>,
): { state: GuardState; collapsed: boolean; reason?: string } {
  const a = check.pgdAcc;
  const next: GuardState = {
    prev: a,
    best: state.best === null ? a : Math.max(state.best, a),
    history: [...state.history, { ...check, step }],
  };
  const fg = check.fgsmAcc === null ? '' : `; FGSM accuracy ${check.fgsmAcc.toFixed(3)}`;
  if (state.prev !== null && state.prev - a > cfg.maxDrop) {
    const reason =
      `catastrophic overfitting: PGD accuracy on the check batch fell from ${state.prev.toFixed(3)} ` +
      `to ${a.toFixed(3)} (more than maxDrop ${cfg.maxDrop}) at step ${step}${fg}`;
    return { state: next, collapsed: true, reason };
  }
  if (state.best !== null && state.best >= cfg.minBest && a < cfg.minFractionOfBest * state.best) {
    const reason =
      `catastrophic overfitting: PGD accuracy on the check batch is ${a.toFixed(3)}, below ` +
      `${cfg.minFractionOfBest} × its best ${state.best.toFixed(3)}, at step ${step}${fg}`;
    return { state: next, collapsed: true, reason };
  }
  return { state: next, collapsed: false };
}

/**
 * PGD and FGSM accuracy of the model (inference BN mode) on the check batch.
 * @param x `[B, H, W, C]` in [0, 1]; y `[B]` int32; eps, stepSize in pixel units
 */
export async function guardCheck(
  model: Model,
  masks: Masks | undefined,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  o: { eps: number; pgdSteps: number; pgdStepSize: number; seed: number },
): Promise<GuardCheck> {
  const f = logitsFn(model, { masks });
  const n = y.shape[0];
  const xPgd = await pgdLinf(f, x, y, {
    eps: o.eps,
    steps: o.pgdSteps,
    stepSize: o.pgdStepSize,
    restarts: 1,
    randomStart: true,
    seed: o.seed,
  }); // [B, H, W, C]
  const xFgsm = await fgsm(f, x, y, { eps: o.eps }); // [B, H, W, C]
  const counts = tf.tidy(() => tf.stack([correctCount(f(xPgd), y), correctCount(f(xFgsm), y)]));
  xPgd.dispose();
  xFgsm.dispose();
  const [p, g] = await counts.data();
  counts.dispose();
  return { pgdAcc: p / n, fgsmAcc: g / n };
}
