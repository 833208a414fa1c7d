/**
 * PGD adversarial training (Madry, Makelov, Schmidt, Tsipras and Vladu 2018, "Towards Deep
 * Learning Models Resistant to Adversarial Attacks", arXiv 1706.06083), L∞:
 *   min_θ mean_b max_{‖δ_b‖∞ ≤ ε} CE(f_θ(x_b + δ_b), y_b)
 * The inner max is approximated by PGD-L∞ with a uniform random start (attacks/pgd.ts):
 * x' = PGD(x, y; ε, α, steps), then the loss is the batch-mean CE on x' alone.
 *
 * Defaults for Fashion-MNIST: ε 0.1, 10 steps, α = 2.5·ε/steps (Madry et al.'s rule of thumb,
 * 0.025), one random start. Madry et al. used ε 0.3, 40 steps of 0.01 (MNIST) and ε 8/255, 7
 * steps of 2/255 (CIFAR-10).
 * BN mode while crafting (`craftMode`): 'train' (default) uses batch statistics, as the attack
 * in Madry et al.'s TensorFlow code ran on the training-mode graph; 'eval' uses the running
 * statistics. Either way crafting never updates the running statistics.
 * Shapes: x, x' `[B, H, W, C]` in [0, 1]; y `[B]`; ‖x' − x‖∞ ≤ ε.
 */
import { z } from 'zod';
import { pgdLinf } from '../../attacks/pgd';
import { forward, logitsFn } from '../../model/forward';
import { derivedDefault } from './catalog';
import { meanCrossEntropy } from './losses';
import type { Objective } from './types';

export const pgdAtObjectiveSchema = z.strictObject({
  kind: z.literal('pgd-at'),
  /** L∞ radius ε, pixel units in [0, 1] (default 0.1) */
  eps: z.number().min(0).max(1).default(0.1),
  /** PGD iterations, ≥ 1 (default 10) */
  steps: z.number().int().min(1).default(10),
  /** step size α, pixel units, ≥ 0 (default 2.5·ε/steps, so 0 when ε = 0) */
  stepSize: z.number().min(0).optional(),
  /** random restarts per batch, ≥ 1 (default 1) */
  restarts: z.number().int().min(1).default(1),
  /** start uniformly in the ε-ball (default true, as in Madry et al.) */
  randomStart: z.boolean().default(true),
  /** batch-norm mode while crafting: 'train' batch statistics (default) or 'eval' running ones */
  craftMode: z.enum(['train', 'eval']).default('train'),
});
export type PgdAtObjectiveConfig = Required<z.output<typeof pgdAtObjectiveSchema>>;

/** Fills the derived default stepSize = 2.5·ε/steps. */
export function resolvePgdAt(c: z.output<typeof pgdAtObjectiveSchema>): PgdAtObjectiveConfig {
  return {
    ...c,
    stepSize: c.stepSize ?? derivedDefault('pgd-at', 'stepSize', { eps: c.eps, steps: c.steps }),
  };
}

export function pgdAtObjective(c: PgdAtObjectiveConfig): Objective {
  return {
    kind: 'pgd-at',
    adversarial: true,
    async craft(model, x, y, ctx) {
      const f = logitsFn(model, { masks: ctx.masks, training: c.craftMode === 'train' });
      return pgdLinf(f, x, y, {
        eps: c.eps,
        steps: c.steps,
        stepSize: c.stepSize,
        restarts: c.restarts,
        randomStart: c.randomStart,
        seed: ctx.seed,
        signal: ctx.signal,
      }); // [B, H, W, C]
    },
    loss(model, x, xAdv, y, fwd) {
      const r = forward(model, xAdv ?? x, { masks: fwd.masks, training: fwd.training }); // [B, K]
      return {
        loss: meanCrossEntropy(r.logits, y),
        logitsClean: null,
        logitsAdv: r.logits,
        bnStats: [r.bnBatchStats],
      };
    },
  };
}
