/**
 * What every learning-rate schedule shares. A schedule is plain-data *state* (JSON-safe, stored
 * in checkpoints) plus pure functions of it:
 * - `lrAt(state, ctx)`: the learning rate of one optimizer step (step-based schedules);
 * - `eventAt(state, ctx)`: the reason when a *discrete* change starts at this step (a multistep
 *   milestone, the end of a warmup, a cyclic peak), else undefined. Continuous schedules (cosine,
 *   cyclic) change the rate every step; only their phase boundaries are logged;
 * - `onEpochEnd(state, input)`: the epoch-end hook, which may return a new state and a change
 *   (AccelAT; the step-based schedules return their state unchanged).
 */

/** Where an optimizer step sits in the run. */
export interface LrContext {
  /** epoch of the step, from 0 */
  epoch: number;
  /** global step index, from 0 (the number of optimizer updates done before this one) */
  step: number;
  /** batches (optimizer steps) per epoch, a positive integer */
  stepsPerEpoch: number;
}

/** What the epoch-end hook sees. */
export interface EpochEndInput {
  /** the epoch that just ended, from 0 */
  epoch: number;
  /** adversarial (PGD) validation accuracy of that epoch, in [0, 1]; null when not measured */
  advValAccuracy: number | null;
}

/** A change of learning rate and why. */
export interface LrChange {
  /** rate before the change (per sample-mean gradient, optimizer units) */
  from: number;
  /** rate after the change */
  to: number;
  /** human-readable cause, e.g. 'multistep milestone 50: lr × 0.1' */
  reason: string;
}
