/**
 * Constant learning rate: lr(t) = lr for every step t. Default lr 0.01.
 */
import { z } from 'zod';
import type { LrContext } from './types';

export const constantScheduleSchema = z.strictObject({
  kind: z.literal('constant'),
  /** learning rate, ≥ 0 (default 0.01) */
  lr: z.number().min(0).default(0.01),
});
export type ConstantScheduleConfig = z.output<typeof constantScheduleSchema>;

/** Plain-data state: the config itself. */
export type ConstantScheduleState = ConstantScheduleConfig;

export function createConstantSchedule(config: ConstantScheduleConfig): ConstantScheduleState {
  return { ...config };
}

/** The rate of any step: `state.lr`. */
export function constantLrAt(state: ConstantScheduleState, _ctx: LrContext): number {
  return state.lr;
}

/** A constant schedule never changes. */
export function constantEventAt(_state: ConstantScheduleState, _ctx: LrContext): undefined {
  return undefined;
}
