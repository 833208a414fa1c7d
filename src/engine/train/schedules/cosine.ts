/**
 * Cosine annealing (Loshchilov and Hutter 2017, SGDR, arXiv 1608.03983, a single cycle without
 * restarts), per step, with an optional linear warmup (Goyal et al. 2017, arXiv 1706.02677).
 * With T = epochs·stepsPerEpoch total steps and W = round(warmupEpochs·stepsPerEpoch):
 *   t < W:  lr(t) = lr · (t + 1) / W
 *   t ≥ W:  lr(t) = minLr + (lr − minLr) · (1 + cos(π · (t − W) / (T − W))) / 2
 * so lr(W) = lr, the rate falls to (lr + minLr)/2 halfway, and lr(T) = minLr (T is one past the
 * last step). Defaults: lr 0.1, minLr 0, no warmup.
 */
import { z } from 'zod';
import type { LrContext } from './types';

export const cosineScheduleSchema = z
  .strictObject({
    kind: z.literal('cosine'),
    /** peak learning rate, ≥ 0 (default 0.1) */
    lr: z.number().min(0).default(0.1),
    /** final learning rate, in [0, lr] (default 0) */
    minLr: z.number().min(0).default(0),
    /** warmup length in epochs (may be fractional), ≥ 0 (default 0) */
    warmupEpochs: z.number().min(0).default(0),
  })
  .refine((c) => c.minLr <= c.lr, { message: 'minLr must be ≤ lr', path: ['minLr'] });
export type CosineScheduleConfig = z.output<typeof cosineScheduleSchema>;

/** Config plus the run length it anneals over. */
export interface CosineScheduleState extends CosineScheduleConfig {
  /** total epochs of the run, ≥ 1 */
  epochs: number;
}

export function createCosineSchedule(
  config: CosineScheduleConfig,
  run: { epochs: number },
): CosineScheduleState {
  return { ...config, epochs: run.epochs };
}

function warmupSteps(state: CosineScheduleState, ctx: LrContext): number {
  const total = state.epochs * ctx.stepsPerEpoch;
  return Math.min(total - 1, Math.round(state.warmupEpochs * ctx.stepsPerEpoch));
}

/** The rate of step ctx.step; steps past the end stay at minLr. */
export function cosineLrAt(state: CosineScheduleState, ctx: LrContext): number {
  const total = state.epochs * ctx.stepsPerEpoch;
  const w = Math.max(0, warmupSteps(state, ctx));
  const t = ctx.step;
  if (t < w) return (state.lr * (t + 1)) / w;
  if (t >= total) return state.minLr;
  const p = (t - w) / (total - w);
  return state.minLr + ((state.lr - state.minLr) * (1 + Math.cos(Math.PI * p))) / 2;
}

/** The end of the warmup is the only discrete event. */
export function cosineEventAt(state: CosineScheduleState, ctx: LrContext): string | undefined {
  const w = warmupSteps(state, ctx);
  if (w > 0 && ctx.step === w) {
    return `cosine: warmup over after ${w} steps, annealing from ${state.lr} to ${state.minLr}`;
  }
  return undefined;
}
