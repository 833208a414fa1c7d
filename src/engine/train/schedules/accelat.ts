/**
 * AccelAT (Nikfam, Marchisio, Martina and Shafique, IEEE Access 2022, arXiv 2210.06888; code
 * github.com/farzadnikfam/AccelAT, `function_callback.py` and `accelat.py`): an epoch-level
 * learning-rate rule driven by the adversarial validation accuracy. Defaults as in the paper's
 * code: lr 1e-3, ftEp 5, sdEp 5, pw 0.005, paLr 0.8, fiLr 1e-6.
 *
 * The rule, at the end of each epoch t (1-based count of epochs seen):
 *   append a_t (adversarial validation accuracy); m_t = mean(a_{t−ftEp+1..t});
 *   if #{m_1..m_{t−1}} > ftEp  and  quiet_t > sdEp  and  m_t − m_{t−1} < pw:
 *       lr ← lr·paLr;  quiet ← 1 (restart the wait)
 *   lr ← max(lr, fiLr)
 * where quiet starts at sdEp and grows by 1 every epoch before the test (quiet_t = quiet_{t−1}+1).
 *
 * Reading, exactly as the reference code does it:
 * - "more than 5 means exist" counts the means of the *previous* epochs (the list before m_t is
 *   appended), compared with ftEp: so the first cut can happen at epoch t = ftEp + 2 (the 7th).
 *   m_{t−1} then averages a full window.
 * - "more than sdEp epochs since the last cut": quiet is set to 1 at the cut epoch and counts
 *   epochs since, inclusive of the cut epoch, so after a cut at epoch c the next cut can come at
 *   epoch c + sdEp at the earliest (quiet = sdEp + 1). Before any cut quiet starts at sdEp, so
 *   the wait does not gate the first cut.
 * - A cut takes effect from the next epoch (Keras applies the rate at epoch begin).
 * - For t < ftEp the mean is over the t accuracies available (the reference's slice differs
 *   there, but those means are never compared).
 * - At the floor a cut leaves lr at fiLr: no change is reported, though the wait restarts.
 */
import { z } from 'zod';
import { TrainError } from '../errors';
import type { EpochEndInput, LrChange, LrContext } from './types';

export const accelatScheduleSchema = z
  .strictObject({
    kind: z.literal('accelat'),
    /** initial learning rate in_lr, ≥ fiLr (default 1e-3) */
    lr: z.number().gt(0).default(1e-3),
    /** ft_ep: window of the moving mean in epochs, and the means needed first (default 5) */
    ftEp: z.number().int().min(1).default(5),
    /** sd_ep: epochs to wait after a cut (default 5) */
    sdEp: z.number().int().min(0).default(5),
    /** pw: the smallest rise of the mean that counts as progress, accuracy units (default 0.005) */
    pw: z.number().default(0.005),
    /** pa_lr: factor of a cut, in (0, 1) (default 0.8) */
    paLr: z.number().gt(0).lt(1).default(0.8),
    /** fi_lr: floor of the learning rate, > 0 (default 1e-6) */
    fiLr: z.number().gt(0).default(1e-6),
  })
  .refine((c) => c.lr >= c.fiLr, { message: 'lr must be ≥ fiLr', path: ['lr'] });
export type AccelatScheduleConfig = z.output<typeof accelatScheduleSchema>;

export interface AccelatScheduleState extends AccelatScheduleConfig {
  /** the current learning rate */
  current: number;
  /** adversarial validation accuracies, one per epoch seen, in [0, 1] */
  accs: number[];
  /** the moving means m_1..m_t, one per epoch seen */
  means: number[];
  /** epochs since the last cut, counting the cut epoch as 1; starts at sdEp */
  quiet: number;
}

export function createAccelatSchedule(config: AccelatScheduleConfig): AccelatScheduleState {
  return { ...config, current: config.lr, accs: [], means: [], quiet: config.sdEp };
}

/** The current rate (it changes only at epoch ends). */
export function accelatLrAt(state: AccelatScheduleState, _ctx: LrContext): number {
  return state.current;
}

/** AccelAT changes happen at epoch ends only. */
export function accelatEventAt(_state: AccelatScheduleState, _ctx: LrContext): undefined {
  return undefined;
}

/**
 * The epoch-end rule (see the file comment). Pure: returns a new state.
 * @throws TrainError `bad-state` when the adversarial validation accuracy is missing or not in [0, 1]
 */
export function accelatOnEpochEnd(
  state: AccelatScheduleState,
  input: EpochEndInput,
): { state: AccelatScheduleState; change?: LrChange } {
  const a = input.advValAccuracy;
  if (a === null || !(a >= 0 && a <= 1)) {
    throw new TrainError(
      'bad-state',
      `accelat needs the adversarial validation accuracy in [0, 1] at the end of every epoch; ` +
        `epoch ${input.epoch} has ${a}`,
    );
  }
  const accs = [...state.accs, a];
  const window = accs.slice(-state.ftEp);
  const mean = window.reduce((s, v) => s + v, 0) / window.length;
  let quiet = state.quiet + 1;
  let lr = state.current;
  let reason: string | undefined;
  const prev = state.means[state.means.length - 1];
  if (state.means.length > state.ftEp && quiet > state.sdEp && mean - prev < state.pw) {
    const rise = mean - prev;
    lr = lr * state.paLr;
    quiet = 1;
    reason =
      `accelat: mean adv acc over the last ${state.ftEp} epochs changed by ` +
      `${rise >= 0 ? '+' : ''}${rise.toFixed(4)} < pw ${state.pw}; lr × ${state.paLr}`;
  }
  if (lr < state.fiLr) {
    lr = state.fiLr;
    if (reason !== undefined) reason += ` (floored at fi_lr ${state.fiLr})`;
  }
  const next: AccelatScheduleState = {
    ...state,
    current: lr,
    accs,
    means: [...state.means, mean],
    quiet,
  };
  if (reason !== undefined && lr !== state.current) {
    return { state: next, change: { from: state.current, to: lr, reason } };
  }
  return { state: next };
}
