/**
 * The end of an epoch: validation (when due), the schedule's epoch hook (AccelAT), the epoch's
 * metrics. Validation is due every `validation.evalEvery` epochs, at the last epoch, and at every
 * epoch under a schedule that needs the adversarial validation accuracy (per-batch protocol).
 * Under the offline-adversarial protocol the accuracy on its fixed adversarial validation set is
 * measured at every epoch end, and that is what the schedule's hook (AccelAT) reads.
 */
import { deriveSeed } from '../data/order';
import type { Dataset } from '../data/dataset';
import { accuracy } from '../eval/accuracy';
import { logitsFn } from '../model/forward';
import type { Model } from '../model/types';
import { emptyAccumulator } from './checkpoint';
import { SEED_TAG, type Run } from './run-state';
import { lrAt, needsAdvValAccuracy, onEpochEnd } from './schedules';
import type { EpochMetrics, LrChangeRecord, TrainHooks } from './types';
import { validationAccuracy } from './validate';

/**
 * Finishes epoch `run.epoch` and moves the run to the next epoch's first batch. An abort during
 * validation throws (AbortError) before the run's state changes.
 */
export async function endEpoch(
  model: Model,
  run: Run,
  val: Dataset | undefined,
  hooks: TrainHooks,
): Promise<EpochMetrics> {
  const { cfg } = run;
  const e = run.epoch;
  const t0 = performance.now();
  let valClean: number | null = null;
  let valAdv: number | null = null;
  const fixed = run.fixedVal;
  const due =
    (e + 1) % cfg.validation.evalEvery === 0 ||
    e === cfg.epochs - 1 ||
    (fixed === null && needsAdvValAccuracy(run.schedule));
  if (val !== undefined && cfg.validation.subsetSize > 0 && due) {
    const seed = deriveSeed(cfg.seed, SEED_TAG.val, e);
    const v = await validationAccuracy(model, run.masks, val, cfg.validation, seed, hooks.signal);
    valClean = v.clean;
    valAdv = v.adv;
  }
  let valFixed: number | null = null;
  if (fixed !== null) {
    valFixed = hooks.offlineValAccuracy
      ? await hooks.offlineValAccuracy(model, run.masks, e)
      : await accuracy(
          logitsFn(model, { masks: run.masks }),
          fixed.x,
          fixed.y,
          cfg.validation.batchSize,
        );
  }
  const sched = onEpochEnd(run.schedule, {
    epoch: e,
    advValAccuracy: fixed !== null ? valFixed : valAdv,
  });
  run.schedule = sched.state;
  if (sched.change) {
    const rec: LrChangeRecord = { ...sched.change, epoch: e + 1, step: run.step };
    run.lrChanges.push(rec);
    hooks.onLrChange?.(rec);
  }
  const a = run.accum;
  a.wallMs += performance.now() - t0;
  const metrics: EpochMetrics = {
    epoch: e,
    steps: a.steps,
    trainLoss: a.samples > 0 ? a.lossSum / a.samples : NaN,
    trainCleanAcc: a.samples > 0 ? a.cleanCorrect / a.samples : NaN,
    trainAdvAcc: a.advSamples > 0 ? a.advCorrect / a.advSamples : null,
    valCleanAcc: valClean,
    valAdvAcc: valAdv,
    ...(valFixed !== null ? { valFixedAdvAcc: valFixed } : {}),
    lr: run.lastLr ?? lrAt(run.schedule, { epoch: e, step: run.step, stepsPerEpoch: run.spe }),
    wallSec: a.wallMs / 1000,
  };
  run.history.push(metrics);
  run.epoch++;
  run.batch = 0;
  run.accum = emptyAccumulator();
  hooks.onEpochEnd?.(metrics);
  return metrics;
}
