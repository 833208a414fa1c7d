/**
 * Runs the FGSM-RS catastrophic-overfitting guard inside the loop (the rule itself is in
 * objectives/overfit-guard.ts): measure, fold into the state, and either keep a snapshot of the
 * weights that passed or, on collapse, restore the snapshot of the last passed check and warn.
 */
import { deriveSeed } from '../data/order';
import type { Model } from '../model/types';
import { guardCheck, guardUpdate } from './objectives/overfit-guard';
import { disposeSnapshot, restoreWeights, snapshotWeights } from './run-setup';
import { SEED_TAG, type Run } from './run-state';
import type { TrainHooks } from './types';

/**
 * One check at the run's current step.
 * @returns null when the run may go on, else the stop message (weights already restored)
 */
export async function runGuardCheck(
  model: Model,
  run: Run,
  hooks: TrainHooks,
): Promise<string | null> {
  const g = run.guard;
  const oc = run.cfg.objective;
  if (!g || oc.kind !== 'fgsm-rs') return null;
  const check = hooks.overfitCheck
    ? await hooks.overfitCheck(model, run.masks)
    : await guardCheck(model, run.masks, g.x, g.y, {
        eps: oc.eps,
        pgdSteps: g.cfg.pgdSteps,
        pgdStepSize: g.cfg.pgdStepSize,
        seed: deriveSeed(run.cfg.seed, SEED_TAG.guard),
      });
  const u = guardUpdate(g.state, check, run.step, g.cfg);
  g.state = u.state;
  if (!u.collapsed) {
    disposeSnapshot(g.snapshot);
    g.snapshot = snapshotWeights(model);
    return null;
  }
  const prev = g.state.history[g.state.history.length - 2];
  let kept = 'the current weights (no earlier check)';
  if (g.snapshot && prev) {
    restoreWeights(model, g.snapshot);
    kept = `the weights of step ${prev.step} (the last check that passed)`;
  }
  const msg = `${u.reason ?? 'catastrophic overfitting'}; stopped, keeping ${kept}`;
  console.warn(`trainModel: ${msg}`);
  return msg;
}
