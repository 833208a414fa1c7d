/**
 * FGSM with random start, "fast" adversarial training (Wong, Rice and Kolter 2020, "Fast is
 * better than free: Revisiting adversarial training", arXiv 2001.03994; code
 * locuslab/fast_adversarial), L∞:
 *   δ ~ U[−ε, ε]^d,  δ ← clip_[−ε,ε](δ + α·sign(∇_δ CE(f(clip_[0,1](x + δ)), y))),
 *   x' = clip_[0,1](x + δ),  loss = mean_b CE(f(x'_b), y_b)
 * (attacks/fgsm.ts `fgsmRs`). Defaults: ε 0.1, α = 1.25·ε (the paper's choice; α = 2ε already
 * leads to catastrophic overfitting), crafting in 'train' BN mode (the reference runs the attack
 * with model.train()). Pair it with the one-cycle schedule (schedules/cyclic.ts).
 *
 * Catastrophic overfitting guard (the paper's early stopping, generalized): every
 * `guard.everySteps` steps (0: at every epoch end) the loop measures PGD accuracy on a fixed
 * small check batch (overfit-guard.ts); when it collapses the run stops and the weights of the
 * last check before the collapse are restored.
 * Shapes: x, x' `[B, H, W, C]` in [0, 1]; y `[B]`; ‖x' − x‖∞ ≤ ε.
 */
import { z } from 'zod';
import { fgsmRs } from '../../attacks/fgsm';
import { forward, logitsFn } from '../../model/forward';
import { derivedDefault } from './catalog';
import { meanCrossEntropy } from './losses';
import { guardSchema, type GuardConfig } from './overfit-guard';
import type { Objective } from './types';

export const fgsmRsObjectiveSchema = z.strictObject({
  kind: z.literal('fgsm-rs'),
  /** L∞ radius ε, pixel units in [0, 1] (default 0.1) */
  eps: z.number().min(0).max(1).default(0.1),
  /** FGSM step α from the random start, pixel units, ≥ 0 (default 1.25·ε; 0 only with ε = 0) */
  alpha: z.number().min(0).optional(),
  /** batch-norm mode while crafting: 'train' batch statistics (default) or 'eval' */
  craftMode: z.enum(['train', 'eval']).default('train'),
  /** catastrophic-overfitting guard (see overfit-guard.ts) */
  guard: guardSchema.prefault({}),
});
export interface FgsmRsObjectiveConfig extends Required<
  Omit<z.output<typeof fgsmRsObjectiveSchema>, 'guard'>
> {
  guard: GuardConfig;
}

/** Fills the derived defaults α = 1.25·ε and the guard's PGD step ε/4. */
export function resolveFgsmRs(c: z.output<typeof fgsmRsObjectiveSchema>): FgsmRsObjectiveConfig {
  return {
    ...c,
    alpha: c.alpha ?? derivedDefault('fgsm-rs', 'alpha', { eps: c.eps }),
    guard: { ...c.guard, pgdStepSize: c.guard.pgdStepSize ?? c.eps / 4 },
  };
}

export function fgsmRsObjective(c: FgsmRsObjectiveConfig): Objective {
  return {
    kind: 'fgsm-rs',
    adversarial: true,
    async craft(model, x, y, ctx) {
      const f = logitsFn(model, { masks: ctx.masks, training: c.craftMode === 'train' });
      return fgsmRs(f, x, y, { eps: c.eps, stepSize: c.alpha, seed: ctx.seed, signal: ctx.signal }); // [B, H, W, C]
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
