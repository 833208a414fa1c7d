/**
 * Gradual pruning schedules (Zhu and Gupta 2017, "To prune, or not to prune", arXiv 1710.01878):
 * the sparsity (fraction removed) rises from s_i to s_f along a cubic that prunes fast while
 * many redundant weights remain and slowly near the end:
 *
 *   s_t = s_f + (s_i − s_f) · (1 − (t − t_0) / (t_end − t_0))^p,   t_0 ≤ t ≤ t_end, p = 3,
 *
 * with s_t = s_i before t_0 and s_f after t_end. Steps are any monotone counter (training steps,
 * epochs, pruning rounds).
 */
import { MaskError } from './masks';

export interface PolynomialSchedule {
  /** sparsity at and before startStep, in [0, 1) */
  initial: number;
  /** sparsity at and after endStep, in [0, 1) */
  final: number;
  /** t_0 (integer or not; any unit) */
  startStep: number;
  /** t_end ≥ startStep */
  endStep: number;
  /** exponent p > 0 (default 3, the paper's choice) */
  power?: number;
}

function checkFrac(v: number, what: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v >= 1)
    throw new MaskError(`${what} must be a sparsity in [0, 1), got ${v}`);
}

function checkSchedule(s: PolynomialSchedule): number {
  checkFrac(s.initial, 'initial');
  checkFrac(s.final, 'final');
  if (!Number.isFinite(s.startStep) || !Number.isFinite(s.endStep) || s.endStep < s.startStep)
    throw new MaskError(
      `need finite startStep ≤ endStep, got startStep ${s.startStep}, endStep ${s.endStep}`,
    );
  const p = s.power ?? 3;
  if (!Number.isFinite(p) || p <= 0) throw new MaskError(`power must be > 0, got ${p}`);
  return p;
}

/** Target sparsity (fraction removed, in [0, 1)) at `step` under the Zhu–Gupta schedule. */
export function polynomialSparsity(schedule: PolynomialSchedule, step: number): number {
  const p = checkSchedule(schedule);
  if (Number.isNaN(step)) throw new MaskError('step must be a number, got NaN');
  const { initial, final, startStep, endStep } = schedule;
  if (step >= endStep) return final;
  if (step <= startStep) return initial;
  const progress = (step - startStep) / (endStep - startStep); // (0, 1)
  return final + (initial - final) * (1 - progress) ** p;
}

export interface IterativeSchedule {
  /** sparsity after the last round, in [0, 1) */
  final: number;
  /** number of prune(-fine-tune) rounds, integer ≥ 1 */
  rounds: number;
  /** sparsity before the first round, in [0, 1) (default 0) */
  initial?: number;
  /** default 3 */
  power?: number;
}

/**
 * Per-round target sparsities for iterative pruning: round r = 1..rounds gets the polynomial
 * schedule at t = r with t_0 = 0, t_end = rounds, so the last round reaches `final` exactly.
 */
export function iterativeSchedule(s: IterativeSchedule): number[] {
  if (!Number.isInteger(s.rounds) || s.rounds < 1)
    throw new MaskError(`rounds must be an integer ≥ 1, got ${s.rounds}`);
  const sched: PolynomialSchedule = {
    initial: s.initial ?? 0,
    final: s.final,
    startStep: 0,
    endStep: s.rounds,
    power: s.power,
  };
  checkSchedule(sched);
  return Array.from({ length: s.rounds }, (_, r) => polynomialSparsity(sched, r + 1));
}
