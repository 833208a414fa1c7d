/**
 * Multistep (piecewise-constant) decay, as PyTorch's MultiStepLR stepped once per epoch:
 *   lr(epoch) = lr₀ · γ^{#{m ∈ milestones : m ≤ epoch}}
 * Milestones are epoch indices (from 0): epoch m is the first epoch at the reduced rate, so
 * milestones [50, 75] with γ 0.1 give lr₀ for epochs 0–49, 0.1·lr₀ for 50–74, 0.01·lr₀ after
 * (Madry et al. 2018's CIFAR-10 schedule, in epochs). Defaults: lr₀ 0.1, γ 0.1, no milestones.
 */
import { z } from 'zod';
import type { LrContext } from './types';

export const multistepScheduleSchema = z.strictObject({
  kind: z.literal('multistep'),
  /** initial learning rate lr₀, ≥ 0 (default 0.1) */
  lr: z.number().min(0).default(0.1),
  /** strictly increasing epoch indices ≥ 1 at which lr is multiplied by γ (default []) */
  milestones: z
    .array(z.number().int().min(1))
    .default([])
    .refine((m) => m.every((v, i) => i === 0 || v > m[i - 1]), 'milestones must increase strictly'),
  /** multiplicative factor γ in (0, 1] (default 0.1) */
  gamma: z.number().gt(0).max(1).default(0.1),
});
export type MultistepScheduleConfig = z.output<typeof multistepScheduleSchema>;
export type MultistepScheduleState = MultistepScheduleConfig;

export function createMultistepSchedule(config: MultistepScheduleConfig): MultistepScheduleState {
  return { ...config, milestones: [...config.milestones] };
}

/** lr₀ · γ^k, k = number of milestones ≤ ctx.epoch. */
export function multistepLrAt(state: MultistepScheduleState, ctx: LrContext): number {
  let k = 0;
  for (const m of state.milestones) if (m <= ctx.epoch) k++;
  return state.lr * Math.pow(state.gamma, k);
}

/** At the first step of a milestone epoch: 'multistep milestone 50: lr × 0.1'. */
export function multistepEventAt(
  state: MultistepScheduleState,
  ctx: LrContext,
): string | undefined {
  const firstOfEpoch = ctx.step === ctx.epoch * ctx.stepsPerEpoch;
  if (firstOfEpoch && state.milestones.includes(ctx.epoch)) {
    return `multistep milestone ${ctx.epoch}: lr × ${state.gamma}`;
  }
  return undefined;
}
