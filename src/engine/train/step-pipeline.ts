/**
 * The training loop's step pipeline (loop.ts drives it): `StepPipeline.step()` dispatches the step
 * at the run's position (its learning rate, its batch from the epoch's order, its attack seed from
 * the run's Rng; step.ts does the step itself) and advances the position; a settled finite step
 * adds to the epoch's running sums, logs a scheduled LR change and streams progress.
 * Pipelined (TrainHooks.pipelined, default on WebGPU): step k+1 is dispatched before step k's
 * summary is read, each update committed on the device behind a finiteness gate (step.ts), so the
 * device never waits for the host between steps; same results bit for bit. Otherwise each step is
 * read as soon as it is dispatched. `drain()` reads the step still in flight, which the loop does
 * before every epoch end, check, checkpoint, pause and stop. A non-finite step rewinds the run to
 * its own position (a step dispatched after it was gated off too) and ends the run 'diverged'
 * with a message naming what went non-finite.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D, Tensor4D } from '@tensorflow/tfjs-core';
import { gatherBatch, planOrder, toTensors } from '../data/batches';
import type { Model } from '../model/types';
import { Rng } from '../rng';
import { isAbort } from './run-setup';
import type { Run } from './run-state';
import { eventAt, lrAt } from './schedules';
import {
  dispatchPipelinedStep,
  dispatchUngatedStep,
  type NonFinite,
  type StepOutcome,
} from './step';
import type { LrChangeRecord, TrainHooks, TrainInputs } from './types';

/**
 * Backends where the loop pipelines its steps by default (`TrainHooks.pipelined`): on WebGPU a
 * read waits for the device to finish, and the device would idle while the host prepares the
 * next step. On WASM / CPU a read costs nothing and the gate's kernels would; on WebGL the
 * gate's extra programs cost more than the overlap gave in our measurement (docs/benchmarks.md:
 * 100 vs 82 ms per MLP step on a software renderer), so WebGL reads per step unless asked.
 */
export const PIPELINED_BACKENDS: ReadonlySet<string> = new Set(['webgpu']);

/** How a step (or the drain before a check) ended the run; null: the run goes on. */
export type StepEnd =
  /** a non-finite step: the run is back at that step, with the last good weights */
  | { kind: 'diverged'; message: string }
  /** the stop signal interrupted the dispatch: that step never happened */
  | { kind: 'aborted' }
  | null;

/** Throughput of this call of the loop (steps only). */
interface Throughput {
  start: number;
  stepMs: number;
  steps: number;
  samples: number;
}

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

export class StepPipeline {
  /** performance.now() when the loop started (this call) */
  readonly start: number;
  private readonly throughput: Throughput;
  private readonly healthy: tf.Variable | null;
  /** the dispatched step not read yet (pipelined runs only, between calls) */
  private ahead: InFlight | null = null;

  /**
   * @param inputs what the steps draw their batches from (the offline protocol's fixed set)
   * @param pipelined whether step k+1 is dispatched before step k is read
   */
  constructor(
    private readonly model: Model,
    private readonly run: Run,
    private readonly inputs: TrainInputs,
    private readonly hooks: TrainHooks,
    private readonly pipelined: boolean,
  ) {
    this.start = performance.now();
    this.throughput = { start: this.start, stepMs: 0, steps: 0, samples: 0 };
    this.healthy = pipelined ? tf.tidy(() => tf.variable(tf.scalar(true, 'bool'), false)) : null;
  }

  /** Dispatches the next step; reads the previous one (pipelined) or this one (not). */
  async step(): Promise<StepEnd> {
    let f: InFlight;
    try {
      f = await dispatchAt(this.model, this.run, this.inputs, this.hooks, this.healthy);
    } catch (e) {
      if (!isAbort(e)) throw e;
      // the step never happened (dispatchAt drew nothing it did not give back)
      return (await this.drain()) ?? { kind: 'aborted' };
    }
    const prev: InFlight | null = this.ahead;
    this.ahead = f;
    if (prev) {
      // the device runs this step while the previous one is read
      const ended = await this.settle(prev);
      if (ended) return ended;
    }
    if (!this.pipelined) return this.drain();
    return null;
  }

  /** Reads and processes the step in flight, if any; how it ended the run, if it did. */
  async drain(): Promise<StepEnd> {
    const f = this.ahead;
    this.ahead = null;
    return f ? this.settle(f) : null;
  }

  /** Frees the step in flight (unread) and the gate. */
  dispose(): void {
    const f = this.ahead;
    if (f) {
      f.handle.discard();
      f.x.dispose();
      f.y.dispose();
    }
    this.ahead = null;
    this.healthy?.dispose();
  }

  private async settle(f: InFlight): Promise<StepEnd> {
    let out: StepOutcome;
    try {
      out = await f.handle.settle();
    } finally {
      f.x.dispose();
      f.y.dispose();
    }
    if (out.nonFinite) {
      // the step never happened: rewind to it (a later dispatched step was gated off too)
      const later = this.ahead;
      later?.handle.discard();
      later?.x.dispose();
      later?.y.dispose();
      this.ahead = null;
      rewind(this.run, f.at);
      return {
        kind: 'diverged',
        message: divergenceMessage(this.run, out.nonFinite, f.at.lr, out.loss),
      };
    }
    processStep(this.run, f, out, this.hooks, this.throughput);
    return null;
  }
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
  tp: Throughput,
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
  tp.stepMs += dt;
  tp.steps++;
  tp.samples += size;
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
      samplesPerSec: tp.samples / (Math.max(tp.stepMs, 1e-3) / 1000),
      etaSec: ((cfg.epochs * run.spe - done) * tp.stepMs) / tp.steps / 1000,
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
