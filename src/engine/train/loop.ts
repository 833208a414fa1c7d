/**
 * The training loop: `trainModel` runs a TrainConfig (objective, optimizer, schedule, epochs) on a
 * model in place, streaming plain-data progress; it pauses, stops, resumes exactly, and stops on
 * divergence and (FGSM-RS) on catastrophic overfitting.
 *
 * This file is the control loop; the steps come from the step pipeline (step-pipeline.ts: the
 * batch, learning rate and seed of each step, progress, pipelining) and each step from step.ts.
 * Per step (step.ts): craft x' → loss and gradients in training mode → the masked optimizer update
 * and BN running statistics, computed → one read of [loss, all new values finite, accuracies] →
 * written only when finite; otherwise the run ends 'diverged' with a checkpoint of the last good
 * step. Between steps: stop / pause checks, the timer checkpoint (`checkpointDue` →
 * `onCheckpoint(c, 'timer')`), the FGSM-RS guard when it runs every N steps, and a cooperative
 * yield. At each epoch end (epoch-end.ts): validation, the schedule's epoch hook (AccelAT),
 * metrics; then the FGSM-RS guard (guard-run.ts) when it runs per epoch, then `onCheckpoint(c,
 * 'epoch')`.
 * Pipelined (TrainHooks.pipelined, default on WebGPU; step-pipeline.ts): step k+1 is dispatched
 * before step k's summary is read. Epoch ends, checks, checkpoints, pauses and stops first drain
 * the step in flight (a pause or stop lets the step already dispatched finish); a divergence read
 * late rewinds to its own step.
 * Offline-adversarial protocol (protocol.ts): before anything else, the attack makes the
 * adversarial training and validation sets once against the initial model; the epochs then draw
 * their batches from those fixed sets (objective 'standard'), and AccelAT reads the accuracy on
 * the fixed validation set (epoch-end.ts). Such a run cannot resume from a checkpoint.
 * Randomness: epoch e's batch order is epochOrder(seed', e) (data/order.ts); each step's attack
 * seed is drawn from the run's Rng, whose state is checkpointed; validation seeds derive from
 * (seed, epoch). So a resumed run replays the uninterrupted one exactly (checkpoint.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../model/types';
import type { Checkpoint } from './checkpoint';
import { parseTrainConfig, type TrainConfig, type TrainConfigInput } from './config';
import { endEpoch } from './epoch-end';
import { TrainError } from './errors';
import { runGuardCheck } from './guard-run';
import { checkDataset, checkResumeConfig, isAbort, makeYielder } from './run-setup';
import { makeOfflineSets, type OfflineSets } from './protocol';
import { checkpointOf, disposeRun, startRun, type Run } from './run-state';
import { PIPELINED_BACKENDS, StepPipeline, type StepEnd } from './step-pipeline';
import type { TrainHooks, TrainInputs, TrainResult, TrainStatus } from './types';

export { PIPELINED_BACKENDS };

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
  checkInputs(model, inputs, cfg, resume);
  const offline = await offlineSets(model, inputs, cfg, hooks);
  if (offline === 'stopped')
    return {
      status: 'stopped',
      message: 'stopped while the offline adversarial sets were being made (nothing trained)',
      epoch: 0,
      batch: 0,
      step: 0,
      history: [],
      lrChanges: [],
      guard: null,
      checkpoint: null,
    };
  /** what the steps draw their batches from (the offline protocol's fixed set) */
  const stepInputs: TrainInputs = offline ? { ...inputs, train: offline.train } : inputs;
  let run: Run;
  try {
    run = startRun(model, stepInputs, cfg, resume);
  } catch (e) {
    offline?.val?.x.dispose();
    offline?.val?.y.dispose();
    throw e;
  }
  run.fixedVal = offline?.val ?? null;
  const pipelined = hooks.pipelined ?? PIPELINED_BACKENDS.has(tf.getBackend());
  const steps = new StepPipeline(model, run, stepInputs, hooks, pipelined);
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
    ...(offline ? { offline: offline.info } : {}),
  });
  /** The result of a run a step ended (diverged, or stopped during it). */
  const endedBy = (end: NonNullable<StepEnd>): Promise<TrainResult> =>
    end.kind === 'diverged'
      ? finish('diverged', end.message, true)
      : finish('stopped', `stopped during step ${run.step}`, true);
  try {
    while (run.epoch < cfg.epochs) {
      if (run.batch === run.spe) {
        const ended = await steps.drain();
        if (ended) return await endedBy(ended);
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
      if (hooks.signal?.aborted) {
        const ended = await steps.drain();
        if (ended) return await endedBy(ended);
        return await finish('stopped', `stopped before step ${run.step}`, true);
      }
      if (hooks.pauseRequested?.()) {
        const ended = await steps.drain();
        if (ended) return await endedBy(ended);
        return await finish('paused', `paused before step ${run.step}`, true);
      }
      if (hooks.onCheckpoint && hooks.checkpointDue?.()) {
        const ended = await steps.drain();
        if (ended) return await endedBy(ended);
        await hooks.onCheckpoint(await checkpointOf(model, run), 'timer');
      }
      const ended = await steps.step();
      if (ended) return await endedBy(ended);
      if (run.guard && run.guard.cfg.everySteps > 0 && run.step % run.guard.cfg.everySteps === 0) {
        const drained = await steps.drain();
        if (drained) return await endedBy(drained);
        const collapse = await runGuardCheck(model, run, hooks);
        if (collapse) return await finish('catastrophic-overfitting', collapse, false);
      }
      await yielder();
    }
    const ended = await steps.drain();
    if (ended) return await endedBy(ended);
    const secs = ((performance.now() - steps.start) / 1000).toFixed(1);
    return await finish(
      'completed',
      `completed ${cfg.epochs} epochs (${run.step} steps) in ${secs} s`,
      false,
    );
  } finally {
    steps.dispose();
    disposeRun(run);
  }
}

/** Config and data checks before anything runs (TrainError). */
function checkInputs(
  model: Model,
  inputs: TrainInputs,
  cfg: TrainConfig,
  resume: Checkpoint | undefined,
): void {
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
  if (resume && cfg.protocol?.kind === 'offline-adversarial')
    throw new TrainError(
      'bad-checkpoint',
      'a run under the offline-adversarial protocol cannot resume: its adversarial sets were made from the initial model, which a checkpoint does not hold; start it again',
    );
}

/**
 * The offline-adversarial protocol's fixed sets (protocol.ts), made once against the initial
 * model; null under the per-batch protocol; 'stopped' when the stop signal came first.
 */
async function offlineSets(
  model: Model,
  inputs: TrainInputs,
  cfg: TrainConfig,
  hooks: TrainHooks,
): Promise<OfflineSets | null | 'stopped'> {
  const protocol = cfg.protocol;
  if (protocol?.kind !== 'offline-adversarial') return null;
  let offline: OfflineSets;
  try {
    offline = await makeOfflineSets(
      model,
      inputs.masks,
      inputs.train,
      inputs.val,
      cfg.validation.subsetSize,
      protocol,
      cfg.seed,
      hooks.signal,
    );
  } catch (e) {
    if (!isAbort(e)) throw e;
    return 'stopped';
  }
  hooks.onOfflineSets?.(offline.info);
  return offline;
}
