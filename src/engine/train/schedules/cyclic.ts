/**
 * Cyclic learning rates, per step, with the arithmetic of PyTorch's CyclicLR (Smith 2017,
 * "Cyclical Learning Rates", arXiv 1506.01186). With up and down half-cycle lengths in steps,
 * L = up + down and r = up / L, at step t (from 0):
 *   x = t/L − ⌊t/L⌋;   s = x/r if x ≤ r, else (1 − x)/(1 − r);   lr(t) = minLr + (maxLr − minLr)·s
 * - 'triangular': up = down = cycleEpochs·stepsPerEpoch/2, repeating (Smith's triangular policy).
 * - 'one-cycle': a single cycle over the whole run, as in fast adversarial training (Wong, Rice
 *   and Kolter 2020, arXiv 2001.03994, locuslab/fast_adversarial CIFAR-10 code): linear from
 *   minLr (0) up to maxLr at peakFraction (½) of the run, then linearly down to minLr at its end.
 *   As with PyTorch's CyclicLR, step 0 runs at minLr; steps past the run stay at minLr.
 * Defaults: maxLr 0.2 and minLr 0 (Wong et al.'s CIFAR-10 values), peakFraction 0.5 (their
 * MNIST code peaks at 0.4), cycleEpochs 2.
 */
import { z } from 'zod';
import type { LrContext } from './types';

export const cyclicScheduleSchema = z
  .strictObject({
    kind: z.literal('cyclic'),
    /** 'one-cycle' (default) or 'triangular' */
    mode: z.enum(['one-cycle', 'triangular']).default('one-cycle'),
    /** peak learning rate, ≥ 0 (default 0.2) */
    maxLr: z.number().min(0).default(0.2),
    /** floor learning rate, in [0, maxLr] (default 0) */
    minLr: z.number().min(0).default(0),
    /** one-cycle: where the peak sits, as a fraction of the run in (0, 1) (default 0.5) */
    peakFraction: z.number().gt(0).lt(1).default(0.5),
    /** triangular: length of one full cycle in epochs, > 0 (default 2) */
    cycleEpochs: z.number().gt(0).default(2),
  })
  .refine((c) => c.minLr <= c.maxLr, { message: 'minLr must be ≤ maxLr', path: ['minLr'] });
export type CyclicScheduleConfig = z.output<typeof cyclicScheduleSchema>;

export interface CyclicScheduleState extends CyclicScheduleConfig {
  /** total epochs of the run, ≥ 1 */
  epochs: number;
}

export function createCyclicSchedule(
  config: CyclicScheduleConfig,
  run: { epochs: number },
): CyclicScheduleState {
  return { ...config, epochs: run.epochs };
}

/** Half-cycle lengths in steps, each ≥ 1, and whether the cycle repeats. */
function phases(
  state: CyclicScheduleState,
  ctx: LrContext,
): { up: number; down: number; repeat: boolean } {
  if (state.mode === 'triangular') {
    const half = Math.max(1, Math.round((state.cycleEpochs * ctx.stepsPerEpoch) / 2));
    return { up: half, down: half, repeat: true };
  }
  const total = Math.max(2, state.epochs * ctx.stepsPerEpoch);
  const up = Math.min(total - 1, Math.max(1, Math.round(state.peakFraction * total)));
  return { up, down: total - up, repeat: false };
}

/** The rate of step ctx.step. */
export function cyclicLrAt(state: CyclicScheduleState, ctx: LrContext): number {
  const { up, down, repeat } = phases(state, ctx);
  const length = up + down;
  const t = ctx.step;
  if (!repeat && t >= length) return state.minLr;
  const x = t / length - Math.floor(t / length); // position in the cycle, [0, 1)
  const r = up / length;
  const s = x <= r ? x / r : (1 - x) / (1 - r);
  return state.minLr + (state.maxLr - state.minLr) * s;
}

/** Peaks (and, for 'triangular', troughs) are the logged events. */
export function cyclicEventAt(state: CyclicScheduleState, ctx: LrContext): string | undefined {
  const { up, down, repeat } = phases(state, ctx);
  const length = up + down;
  const t = ctx.step;
  if (!repeat && t >= length) return undefined;
  const inCycle = t % length;
  if (inCycle === up) return `cyclic ${state.mode}: peak ${state.maxLr} at step ${t}, decreasing`;
  if (repeat && inCycle === 0 && t > 0) {
    return `cyclic triangular: trough ${state.minLr} at step ${t}, increasing`;
  }
  return undefined;
}
