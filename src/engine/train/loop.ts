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
 * Pipelined (TrainHooks.pipelined, default on WebGPU): step k+1 is dispatched before step
 * k's summary is read, each update committed on the device behind a finiteness gate (step.ts), so
 * the device never waits for the host between steps; same results bit for bit. Epoch ends, checks,
 * checkpoints, pauses and stops first drain the step in flight (a pause or stop lets the step
 * already dispatched finish); a divergence read late rewinds to its own step.
 * Offline-adversarial protocol (protocol.ts): before anything else, the attack makes the
 * adversarial training and validation sets once against the initial model; the epochs then draw
 * their batches from those fixed sets (objective 'standard'), and AccelAT reads the accuracy on
 * the fixed validation set (epoch-end.ts). Such a run cannot resume from a checkpoint.
 * Randomness: epoch e's batch order is epochOrder(seed', e) (data/order.ts); each step's attack
 * seed is drawn from the run's Rng, whose state is checkpointed; validation seeds derive from
 * (seed, epoch). So a resumed run replays the uninterrupted one exactly (checkpoint.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D, Tensor4D } from '@tensorflow/tfjs-core';
import { gatherBatch, planOrder, toTensors } from '../data/batches';
import type { Model } from '../model/types';
import { Rng } from '../rng';
import type { Checkpoint } from './checkpoint';
import { parseTrainConfig, type TrainConfig, type TrainConfigInput } from './config';
import { endEpoch } from './epoch-end';
import { TrainError } from './errors';
import { runGuardCheck } from './guard-run';
import { checkDataset, checkResumeConfig, isAbort, makeYielder } from './run-setup';
import { makeOfflineSets, type OfflineSets } from './protocol';
import { checkpointOf, disposeRun, startRun, type Run } from './run-state';
import { eventAt, lrAt } from './schedules';
import {
  dispatchPipelinedStep,
  dispatchUngatedStep,
  type NonFinite,
  type StepOutcome,
} from './step';
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
  let offline: OfflineSets | null = null;
  const protocol = cfg.protocol;
  if (protocol?.kind === 'offline-adversarial') {
    if (resume)
      throw new TrainError(
        'bad-checkpoint',
        'a run under the offline-adversarial protocol cannot resume: its adversarial sets were made from the initial model, which a checkpoint does not hold; start it again',
      );
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
    }
    hooks.onOfflineSets?.(offline.info);
  }
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
    ...(offline ? { offline: offline.info } : {}),
  });
  const pipelined = hooks.pipelined ?? PIPELINED_BACKENDS.has(tf.getBackend());
  const healthy = pipelined ? tf.tidy(() => tf.variable(tf.scalar(true, 'bool'), false)) : null;
  /** the dispatched step not read yet (pipelined runs only) */
  let ahead: InFlight | null = null;
  /** Reads and processes the step in flight; a TrainResult when the run ends there. */
  const drain = async (): Promise<TrainResult | null> => {
    const f = ahead;
    ahead = null;
    return f ? settleAndProcess(f) : null;
  };
  const settleAndProcess = async (f: InFlight): Promise<TrainResult | null> => {
    let out: StepOutcome;
    try {
      out = await f.handle.settle();
    } finally {
      f.x.dispose();
      f.y.dispose();
    }
    if (out.nonFinite) {
      // the step never happened: rewind to it (a later dispatched step was gated off too)
      ahead?.handle.discard();
      ahead?.x.dispose();
      ahead?.y.dispose();
      ahead = null;
      rewind(run, f.at);
      return await finish(
        'diverged',
        divergenceMessage(run, out.nonFinite, f.at.lr, out.loss),
        true,
      );
    }
    processStep(run, f, out, hooks, session);
    return null;
  };
  try {
    while (run.epoch < cfg.epochs) {
      if (run.batch === run.spe) {
        const ended = await drain();
        if (ended) return ended;
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
        const ended = await drain();
        return ended ?? (await finish('stopped', `stopped before step ${run.step}`, true));
      }
      if (hooks.pauseRequested?.()) {
        const ended = await drain();
        return ended ?? (await finish('paused', `paused before step ${run.step}`, true));
      }
      if (hooks.onCheckpoint && hooks.checkpointDue?.()) {
        const ended = await drain();
        if (ended) return ended;
        await hooks.onCheckpoint(await checkpointOf(model, run), 'timer');
      }
      let f: InFlight;
      try {
        f = await dispatchAt(model, run, stepInputs, hooks, healthy);
      } catch (e) {
        if (!isAbort(e)) throw e;
        const ended = await drain();
        // the step never happened (dispatchAt drew nothing it did not give back)
        return ended ?? (await finish('stopped', `stopped during step ${run.step}`, true));
      }
      const prev: InFlight | null = ahead;
      ahead = f;
      if (prev) {
        // the device runs this step while the previous one is read
        const ended = await settleAndProcess(prev);
        if (ended) return ended;
      }
      if (!pipelined) {
        const ended = await drain();
        if (ended) return ended;
      }
      if (run.guard && run.guard.cfg.everySteps > 0 && run.step % run.guard.cfg.everySteps === 0) {
        const ended = await drain();
        if (ended) return ended;
        const collapse = await runGuardCheck(model, run, hooks);
        if (collapse) return await finish('catastrophic-overfitting', collapse, false);
      }
      await yielder();
    }
    const ended = await drain();
    if (ended) return ended;
    const secs = ((performance.now() - session.start) / 1000).toFixed(1);
    return await finish(
      'completed',
      `completed ${cfg.epochs} epochs (${run.step} steps) in ${secs} s`,
      false,
    );
  } finally {
    const f = ahead as InFlight | null;
    if (f) {
      f.handle.discard();
      f.x.dispose();
      f.y.dispose();
    }
    healthy?.dispose();
    disposeRun(run);
  }
}

/**
 * Backends where the loop pipelines its steps by default (`TrainHooks.pipelined`): on WebGPU a
 * read waits for the device to finish, and the device would idle while the host prepares the
 * next step. On WASM / CPU a read costs nothing and the gate's kernels would; on WebGL the
 * gate's extra programs cost more than the overlap gave in our measurement (docs/benchmarks.md:
 * 100 vs 82 ms per MLP step on a software renderer), so WebGL reads per step unless asked.
 */
export const PIPELINED_BACKENDS: ReadonlySet<string> = new Set(['webgpu']);

/** Where a dispatched step sits, and what its dispatch advanced (to rewind it). */
interface StepAt {
  step: number;
  epoch: number;
  batch: number;
  lr: number;
  /** the run's lr before this step (the LR-change record's `from`) */
  lastLr: number | null;
  rngState: number;
  optimizerStep: number;
}

interface InFlight {
  at: StepAt;
  size: number;
  t0: number;
  x: Tensor4D;
  y: Tensor1D;
  handle: { settle(): Promise<StepOutcome>; discard(): void };
}

/** Puts the run back at step `at` (its position, rng, lr and optimizer count before it). */
function rewind(run: Run, at: StepAt): void {
  run.step = at.step;
  run.epoch = at.epoch;
  run.batch = at.batch;
  run.lastLr = at.lastLr;
  run.rng = Rng.fromState(at.rngState);
  run.optimizer.step = at.optimizerStep;
}

/**
 * Dispatches the step at the run's position (its learning rate, its batch, the update) and
 * advances the position; the step is read by its handle's `settle()`. With `healthy` the update
 * is committed on the device behind that gate (step.ts); without, at settle time.
 */
async function dispatchAt(
  model: Model,
  run: Run,
  inputs: TrainInputs,
  hooks: TrainHooks,
  healthy: tf.Variable | null,
): Promise<InFlight> {
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
  const at: StepAt = {
    step: run.step,
    epoch: run.epoch,
    batch: run.batch,
    lr,
    lastLr: run.lastLr,
    rngState: run.rng.state,
    optimizerStep: run.optimizer.step,
  };
  const t0 = performance.now();
  const stepCtx = {
    model,
    objective: run.objective,
    optimizer: run.optimizer,
    masks: run.masks,
    paramMasks: run.paramMasks,
    bnMomentum: run.cfg.bnMomentum,
    signal: hooks.signal,
  };
  let handle: InFlight['handle'];
  try {
    const seed = run.rng.seed();
    handle = healthy
      ? await dispatchPipelinedStep(stepCtx, x, y, lr, seed, healthy)
      : await dispatchUngatedStep(stepCtx, x, y, lr, seed);
  } catch (e) {
    x.dispose();
    y.dispose();
    run.rng = Rng.fromState(at.rngState); // the step never happened
    throw e;
  }
  run.step++;
  run.batch++;
  run.lastLr = lr;
  return { at, size: b.size, t0, x, y, handle };
}

/** A settled finite step: the epoch's running sums, the LR-change record, progress. */
function processStep(
  run: Run,
  f: InFlight,
  out: StepOutcome,
  hooks: TrainHooks,
  session: Session,
): void {
  const { at, size } = f;
  const dt = performance.now() - f.t0;
  const a = run.accum;
  a.steps++;
  a.samples += size;
  a.lossSum += out.loss * size;
  a.cleanCorrect += out.cleanCorrect;
  if (out.advCorrect !== null) {
    a.advCorrect += out.advCorrect;
    a.advSamples += size;
  }
  a.wallMs += dt;
  session.stepMs += dt;
  session.steps++;
  session.samples += size;
  const event = eventAt(run.schedule, {
    epoch: at.epoch,
    step: at.step,
    stepsPerEpoch: run.spe,
  });
  if (event !== undefined && at.lastLr !== null) {
    const rec: LrChangeRecord = {
      from: at.lastLr,
      to: at.lr,
      reason: event,
      epoch: at.epoch,
      step: at.step,
    };
    run.lrChanges.push(rec);
    hooks.onLrChange?.(rec);
  }
  const done = at.step + 1;
  const cfg = run.cfg;
  if (hooks.onProgress && (done % cfg.progressEvery === 0 || at.batch + 1 === run.spe)) {
    hooks.onProgress({
      step: done,
      epoch: at.epoch,
      batch: at.batch,
      batchesPerEpoch: run.spe,
      epochs: cfg.epochs,
      loss: out.loss,
      cleanAcc: out.cleanCorrect / size,
      advAcc: out.advCorrect === null ? null : out.advCorrect / size,
      lr: at.lr,
      // clocks may be coarse (browsers): count at least 1 µs of step time
      samplesPerSec: session.samples / (Math.max(session.stepMs, 1e-3) / 1000),
      etaSec: ((cfg.epochs * run.spe - done) * session.stepMs) / session.steps / 1000,
    });
  }
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
