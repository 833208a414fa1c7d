/**
 * The training loop: `trainModel` runs a TrainConfig (objective, optimizer, schedule, epochs) on a
 * model in place, streaming plain-data progress; it pauses, stops, resumes exactly, and stops on
 * divergence and (FGSM-RS) on catastrophic overfitting.
 *
 * Per step (step.ts): craft x' → loss and gradients in training mode → the masked optimizer update
 * and BN running statistics, computed → one read of [loss, all new values finite, accuracies] →
 * written only when finite; otherwise the run ends 'diverged' with a checkpoint of the last good
 * step. Between steps: stop / pause checks, the timer checkpoint (`checkpointDue` →
 * `onCheckpoint(c, 'timer')`) and a cooperative yield. After each epoch end: `onCheckpoint(c,
 * 'epoch')`. At each epoch end (epoch-end.ts): validation, the schedule's
 * epoch hook (AccelAT), metrics; then the FGSM-RS guard (guard-run.ts) when it runs per epoch.
 * Randomness: epoch e's batch order is epochOrder(seed', e) (data/order.ts); each step's attack
 * seed is drawn from the run's Rng, whose state is checkpointed; validation seeds derive from
 * (seed, epoch). So a resumed run replays the uninterrupted one exactly (checkpoint.ts).
 */
import { gatherBatch, planOrder, toTensors } from '../data/batches';
import type { Model } from '../model/types';
import { Rng } from '../rng';
import type { Checkpoint } from './checkpoint';
import { parseTrainConfig, type TrainConfig, type TrainConfigInput } from './config';
import { endEpoch } from './epoch-end';
import { TrainError } from './errors';
import { runGuardCheck } from './guard-run';
import { checkDataset, checkResumeConfig, isAbort, makeYielder } from './run-setup';
import { checkpointOf, disposeRun, startRun, type Run } from './run-state';
import { eventAt, lrAt } from './schedules';
import { trainStep, type NonFinite, type StepOutcome } from './step';
import type { LrChangeRecord, TrainHooks, TrainInputs, TrainResult, TrainStatus } from './types';

/** Throughput of this session (steps only). */
interface Session {
  start: number;
  stepMs: number;
  steps: number;
  samples: number;
}

/**
 * Trains `model` in place.
 * @param inputs training set, optional validation set and masks (see TrainInputs)
 * @param config a TrainConfig or a partial one (defaults filled, see config.ts)
 * @param hooks progress/epoch/lr callbacks, stop signal, pause poll, checkpoint hooks (optional)
 * @param resume a checkpoint from a 'paused', 'stopped' or 'diverged' result or from
 *   `onCheckpoint`; the model may be a fresh one of the same spec (its weights are overwritten)
 * @returns the status and history; the model holds the final (or last good) weights
 * @throws TrainError for a bad config, data that does not fit the model, a bad checkpoint
 */
export async function trainModel(
  model: Model,
  inputs: TrainInputs,
  config: TrainConfigInput | TrainConfig,
  hooks: TrainHooks = {},
  resume?: Checkpoint,
): Promise<TrainResult> {
  const cfg = parseTrainConfig(config);
  if (resume) checkResumeConfig(cfg, resume);
  checkDataset(model, inputs.train, 'training');
  checkDataset(model, inputs.val, 'validation');
  if (
    cfg.schedule.kind === 'accelat' &&
    (inputs.val === undefined || cfg.validation.subsetSize === 0)
  ) {
    throw new TrainError(
      'bad-config',
      'the accelat schedule needs the adversarial validation accuracy: pass inputs.val and validation.subsetSize > 0',
    );
  }
  const run = startRun(model, inputs, cfg, resume);
  const session: Session = { start: performance.now(), stepMs: 0, steps: 0, samples: 0 };
  const yielder = makeYielder();
  const finish = async (
    status: TrainStatus,
    message: string,
    withCheckpoint: boolean,
  ): Promise<TrainResult> => ({
    status,
    message,
    epoch: run.epoch,
    batch: run.batch,
    step: run.step,
    history: run.history,
    lrChanges: run.lrChanges,
    guard: run.guard ? run.guard.state : null,
    checkpoint: withCheckpoint ? await checkpointOf(model, run) : null,
  });
  try {
    while (run.epoch < cfg.epochs) {
      if (run.batch === run.spe) {
        try {
          await endEpoch(model, run, inputs.val, hooks);
        } catch (e) {
          if (!isAbort(e)) throw e;
          return await finish(
            'stopped',
            `stopped during the validation of epoch ${run.epoch}`,
            true,
          );
        }
        if (run.guard && run.guard.cfg.everySteps === 0) {
          const collapse = await runGuardCheck(model, run, hooks);
          if (collapse) return await finish('catastrophic-overfitting', collapse, false);
        }
        if (hooks.onCheckpoint) await hooks.onCheckpoint(await checkpointOf(model, run), 'epoch');
        continue;
      }
      if (hooks.signal?.aborted)
        return await finish('stopped', `stopped before step ${run.step}`, true);
      if (hooks.pauseRequested?.())
        return await finish('paused', `paused before step ${run.step}`, true);
      if (hooks.onCheckpoint && hooks.checkpointDue?.())
        await hooks.onCheckpoint(await checkpointOf(model, run), 'timer');
      const rngBefore = run.rng.state;
      let out: StepOutcome & { lr: number; size: number };
      try {
        out = await oneStep(model, run, inputs, hooks, session);
      } catch (e) {
        if (!isAbort(e)) throw e;
        run.rng = Rng.fromState(rngBefore); // the step never happened
        return await finish('stopped', `stopped during step ${run.step}`, true);
      }
      const event = eventAt(run.schedule, {
        epoch: run.epoch,
        step: run.step,
        stepsPerEpoch: run.spe,
      });
      if (out.finite && event !== undefined && run.lastLr !== null) {
        const rec: LrChangeRecord = {
          from: run.lastLr,
          to: out.lr,
          reason: event,
          epoch: run.epoch,
          step: run.step,
        };
        run.lrChanges.push(rec);
        hooks.onLrChange?.(rec);
      }
      if (out.nonFinite) {
        run.rng = Rng.fromState(rngBefore); // the step never happened: the checkpoint redoes it
        return await finish(
          'diverged',
          divergenceMessage(run, out.nonFinite, out.lr, out.loss),
          true,
        );
      }
      run.step++;
      run.batch++;
      run.lastLr = out.lr;
      if (hooks.onProgress && (run.step % cfg.progressEvery === 0 || run.batch === run.spe)) {
        hooks.onProgress({
          step: run.step,
          epoch: run.epoch,
          batch: run.batch - 1,
          batchesPerEpoch: run.spe,
          epochs: cfg.epochs,
          loss: out.loss,
          cleanAcc: out.cleanCorrect / out.size,
          advAcc: out.advCorrect === null ? null : out.advCorrect / out.size,
          lr: out.lr,
          // clocks may be coarse (browsers): count at least 1 µs of step time
          samplesPerSec: session.samples / (Math.max(session.stepMs, 1e-3) / 1000),
          etaSec: ((cfg.epochs * run.spe - run.step) * session.stepMs) / session.steps / 1000,
        });
      }
      if (run.guard && run.guard.cfg.everySteps > 0 && run.step % run.guard.cfg.everySteps === 0) {
        const collapse = await runGuardCheck(model, run, hooks);
        if (collapse) return await finish('catastrophic-overfitting', collapse, false);
      }
      await yielder();
    }
    const secs = ((performance.now() - session.start) / 1000).toFixed(1);
    return await finish(
      'completed',
      `completed ${cfg.epochs} epochs (${run.step} steps) in ${secs} s`,
      false,
    );
  } finally {
    disposeRun(run);
  }
}

/**
 * The step at the run's position: its learning rate, its batch, the update, and the epoch's
 * running sums. Does not advance the position.
 */
async function oneStep(
  model: Model,
  run: Run,
  inputs: TrainInputs,
  hooks: TrainHooks,
  session: Session,
): Promise<StepOutcome & { lr: number; size: number }> {
  const lr = lrAt(run.schedule, { epoch: run.epoch, step: run.step, stepsPerEpoch: run.spe });
  const { train } = inputs;
  const bs = run.cfg.batchSize;
  if (run.order?.epoch !== run.epoch) {
    run.order = { epoch: run.epoch, indices: planOrder(run.n, run.plan, run.epoch) };
  }
  const order = run.order.indices;
  const idx = order.slice(run.batch * bs, Math.min(run.n, (run.batch + 1) * bs));
  const b = gatherBatch(train, idx, run.epoch, run.batch);
  const { x, y } = toTensors(b, train.shape); // [B, H, W, C], [B]
  const t0 = performance.now();
  let out: StepOutcome;
  try {
    const stepCtx = {
      model,
      objective: run.objective,
      optimizer: run.optimizer,
      masks: run.masks,
      paramMasks: run.paramMasks,
      bnMomentum: run.cfg.bnMomentum,
      signal: hooks.signal,
    };
    out = await trainStep(stepCtx, x, y, lr, run.rng.seed());
  } finally {
    x.dispose();
    y.dispose();
  }
  if (out.finite) {
    const dt = performance.now() - t0;
    const a = run.accum;
    a.steps++;
    a.samples += b.size;
    a.lossSum += out.loss * b.size;
    a.cleanCorrect += out.cleanCorrect;
    if (out.advCorrect !== null) {
      a.advCorrect += out.advCorrect;
      a.advSamples += b.size;
    }
    a.wallMs += dt;
    session.stepMs += dt;
    session.steps++;
    session.samples += b.size;
  }
  return { ...out, lr, size: b.size };
}

/** `a`, `a and b`, `a, b and 3 more` */
function listNames(names: string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  if (names.length === 2) return `${names[0]} and ${names[1]}`;
  const more = names.length - 2;
  return `${names[0]}, ${names[1]} and ${more} more`;
}

/** The 'diverged' message: the step, what went non-finite, what was kept, advice. */
function divergenceMessage(run: Run, nf: NonFinite, lr: number, loss: number): string {
  const n = listNames(nf.names);
  const many = nf.names.length > 1;
  const what = {
    loss: `the loss is ${loss}`,
    gradient: `the gradient${many ? 's' : ''} of ${n} ${many ? 'are' : 'is'} not finite`,
    weight: `the update would make weight${many ? 's' : ''} ${n} non-finite`,
    'optimizer-state': `the update would make the optimizer state of ${n} non-finite`,
    'bn-statistic': `the update would make the BN running statistic${many ? 's' : ''} ${n} non-finite`,
  }[nf.what];
  const o = run.cfg.optimizer;
  const advice =
    `lower the learning rate (now ${lr})` +
    (o.kind === 'sgd' && o.momentum > 0 ? ` or the momentum (now ${o.momentum})` : '') +
    ', or use a schedule with warm-up (cosine warmupEpochs)';
  return (
    `diverged: ${what} at step ${run.step} (epoch ${run.epoch}, batch ${run.batch}, lr ${lr}); ` +
    `the update was not applied: the model and the checkpoint keep the weights and optimizer ` +
    `state of the last good step (${run.step} steps done). Advice: ${advice}; resuming this ` +
    `checkpoint with the same settings repeats the same step`
  );
}
