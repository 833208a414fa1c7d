/**
 * The schedule registry: a config union discriminated by `kind`, the plain-data state union, and
 * dispatch of `lrAt` / `eventAt` / `onEpochEnd` by kind (see types.ts for the contract).
 * Kinds: 'constant', 'multistep', 'cosine', 'cyclic' (one-cycle / triangular), 'accelat'.
 */
import { z } from 'zod';
import { parseOrThrow } from '../parse';
import {
  accelatEventAt,
  accelatLrAt,
  accelatOnEpochEnd,
  accelatScheduleSchema,
  createAccelatSchedule,
  type AccelatScheduleState,
} from './accelat';
import {
  constantEventAt,
  constantLrAt,
  constantScheduleSchema,
  createConstantSchedule,
  type ConstantScheduleState,
} from './constant';
import {
  cosineEventAt,
  cosineLrAt,
  cosineScheduleSchema,
  createCosineSchedule,
  type CosineScheduleState,
} from './cosine';
import {
  createCyclicSchedule,
  cyclicEventAt,
  cyclicLrAt,
  cyclicScheduleSchema,
  type CyclicScheduleState,
} from './cyclic';
import {
  createMultistepSchedule,
  multistepEventAt,
  multistepLrAt,
  multistepScheduleSchema,
  type MultistepScheduleState,
} from './multistep';
import type { EpochEndInput, LrChange, LrContext } from './types';

export type { EpochEndInput, LrChange, LrContext } from './types';

export const scheduleSchema = z.discriminatedUnion('kind', [
  constantScheduleSchema,
  multistepScheduleSchema,
  cosineScheduleSchema,
  cyclicScheduleSchema,
  accelatScheduleSchema,
]);
/** A schedule config (defaults filled). */
export type ScheduleConfig = z.output<typeof scheduleSchema>;
/** A schedule config as written by a user: `kind` plus any fields to override. */
export type ScheduleConfigInput = z.input<typeof scheduleSchema>;
export type ScheduleKind = ScheduleConfig['kind'];

/** Plain-data schedule state (JSON-safe). */
export type ScheduleState =
  | ConstantScheduleState
  | MultistepScheduleState
  | CosineScheduleState
  | CyclicScheduleState
  | AccelatScheduleState;

/**
 * The initial state of a schedule.
 * @param config validated here (defaults filled)
 * @param run.epochs total epochs of the run, a positive integer (cosine and cyclic span it)
 * @throws TrainError `bad-config` naming the bad field
 */
export function createSchedule(
  config: ScheduleConfigInput,
  run: { epochs: number },
): ScheduleState {
  const c = parseOrThrow(scheduleSchema, config, 'schedule');
  parseOrThrow(z.number().int().min(1), run.epochs, 'epochs');
  switch (c.kind) {
    case 'constant':
      return createConstantSchedule(c);
    case 'multistep':
      return createMultistepSchedule(c);
    case 'cosine':
      return createCosineSchedule(c, run);
    case 'cyclic':
      return createCyclicSchedule(c, run);
    case 'accelat':
      return createAccelatSchedule(c);
  }
}

/** The learning rate of the step at `ctx`, ≥ 0. */
export function lrAt(state: ScheduleState, ctx: LrContext): number {
  switch (state.kind) {
    case 'constant':
      return constantLrAt(state, ctx);
    case 'multistep':
      return multistepLrAt(state, ctx);
    case 'cosine':
      return cosineLrAt(state, ctx);
    case 'cyclic':
      return cyclicLrAt(state, ctx);
    case 'accelat':
      return accelatLrAt(state, ctx);
  }
}

/** The reason of a discrete change that starts at this step, else undefined. */
export function eventAt(state: ScheduleState, ctx: LrContext): string | undefined {
  switch (state.kind) {
    case 'constant':
      return constantEventAt(state, ctx);
    case 'multistep':
      return multistepEventAt(state, ctx);
    case 'cosine':
      return cosineEventAt(state, ctx);
    case 'cyclic':
      return cyclicEventAt(state, ctx);
    case 'accelat':
      return accelatEventAt(state, ctx);
  }
}

/** Epoch-end hook: AccelAT's rule; every other schedule returns its state unchanged. */
export function onEpochEnd(
  state: ScheduleState,
  input: EpochEndInput,
): { state: ScheduleState; change?: LrChange } {
  if (state.kind === 'accelat') return accelatOnEpochEnd(state, input);
  return { state };
}

/** True when the schedule needs the adversarial validation accuracy at every epoch end. */
export function needsAdvValAccuracy(state: ScheduleState): boolean {
  return state.kind === 'accelat';
}
