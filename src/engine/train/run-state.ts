/**
 * The live state of one trainModel session: position, RNG, schedule, optimizer, running sums,
 * histories, masks and the FGSM-RS guard; built fresh or from a checkpoint, turned back into a
 * checkpoint, and disposed.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { batchesPerEpoch, type BatchPlan } from '../data/batches';
import { datasetSize } from '../data/dataset';
import { deriveSeed } from '../data/order';
import type { Masks, Model } from '../model/types';
import { Rng } from '../rng';
import {
  emptyAccumulator,
  makeCheckpoint,
  restoreCheckpoint,
  type Checkpoint,
  type EpochAccumulator,
} from './checkpoint';
import type { TrainConfig } from './config';
import { TrainError } from './errors';
import { expandMasks, type ParamMasks } from './masking';
import { createObjective, type Objective } from './objectives';
import { createGuardState, type GuardConfig, type GuardState } from './objectives/overfit-guard';
import { createOptimizer, disposeOptimizer, type Optimizer } from './optimizers';
import { disposeSnapshot, headBatch } from './run-setup';
import { createSchedule, type ScheduleState } from './schedules';
import type { EpochMetrics, LrChangeRecord, TrainInputs } from './types';

/** Seed-derivation tags, so the run's random streams never coincide. */
export const SEED_TAG = { order: 0x0b4c, rng: 0x7a11, val: 0x5a1d, guard: 0x6a7d } as const;

export interface Run {
  cfg: TrainConfig;
  objective: Objective;
  plan: BatchPlan;
  /** training samples and batches per epoch */
  n: number;
  spe: number;
  /** the sample order of one epoch, cached */
  order: { epoch: number; indices: Int32Array } | null;
  /** epoch and batch of the next step; steps done */
  epoch: number;
  batch: number;
  step: number;
  /** learning rate of the last step, null before the first */
  lastLr: number | null;
  rng: Rng;
  schedule: ScheduleState;
  optimizer: Optimizer;
  accum: EpochAccumulator;
  history: EpochMetrics[];
  lrChanges: LrChangeRecord[];
  masks: Masks | undefined;
  /** masks this session created from the checkpoint (disposed with the run) */
  ownedMasks: Masks | undefined;
  paramMasks: ParamMasks;
  guard: {
    cfg: GuardConfig;
    state: GuardState;
    snapshot: Map<string, tf.Tensor> | null;
    /** the fixed check batch x `[n, H, W, C]`, y `[n]` */
    x: tf.Tensor4D;
    y: tf.Tensor1D;
  } | null;
  /**
   * offline-adversarial protocol: the fixed adversarial validation set x `[M, H, W, C]`, y `[M]`
   * (owned by the run), else null
   */
  fixedVal: { x: tf.Tensor4D; y: tf.Tensor1D } | null;
}

/** A run at its start, or at the checkpoint's position (weights loaded into `model`). */
export function startRun(
  model: Model,
  inputs: TrainInputs,
  cfg: TrainConfig,
  resume?: Checkpoint,
): Run {
  const plan: BatchPlan = {
    batchSize: cfg.batchSize,
    shuffle: true,
    seed: deriveSeed(cfg.seed, SEED_TAG.order),
    dropLast: cfg.dropLast,
  };
  const n = datasetSize(inputs.train);
  const spe = batchesPerEpoch(n, plan);
  if (spe === 0) {
    throw new TrainError(
      'bad-config',
      `batchSize ${cfg.batchSize} with dropLast leaves no batch of ${n} samples`,
    );
  }
  const objective = createObjective(cfg.objective);
  const restored = resume ? restoreCheckpoint(model, resume) : null;
  let ownedMasks = restored?.masks;
  if (inputs.masks && ownedMasks) {
    for (const t of ownedMasks.values()) t.dispose();
    ownedMasks = undefined;
  }
  const masks = inputs.masks ?? ownedMasks;
  const oc = cfg.objective;
  const guardCfg = oc.kind === 'fgsm-rs' && oc.guard.enabled ? oc.guard : null;
  if (!guardCfg) disposeSnapshot(restored?.guardSnapshot);
  let optimizer = restored?.optimizer;
  try {
    optimizer ??= createOptimizer(cfg.optimizer, model.params);
    return {
      cfg,
      objective,
      plan,
      n,
      spe,
      order: null,
      epoch: resume?.epoch ?? 0,
      batch: resume?.batch ?? 0,
      step: resume?.step ?? 0,
      lastLr: resume?.lastLr ?? null,
      rng: resume ? Rng.fromState(resume.rngState) : new Rng(deriveSeed(cfg.seed, SEED_TAG.rng)),
      schedule: resume
        ? (JSON.parse(JSON.stringify(resume.schedule)) as ScheduleState)
        : createSchedule(cfg.schedule, { epochs: cfg.epochs }),
      optimizer,
      accum: resume ? { ...resume.accum } : emptyAccumulator(),
      history: resume ? [...resume.history] : [],
      lrChanges: resume ? [...resume.lrChanges] : [],
      masks,
      ownedMasks,
      paramMasks: expandMasks(model, masks),
      guard: guardCfg
        ? {
            cfg: guardCfg,
            state: resume?.guard?.state ?? createGuardState(),
            snapshot: restored?.guardSnapshot ?? null,
            ...headBatch(inputs.val ?? inputs.train, guardCfg.batchSize),
          }
        : null,
      fixedVal: null,
    };
  } catch (e) {
    if (optimizer) disposeOptimizer(optimizer);
    if (ownedMasks) for (const t of ownedMasks.values()) t.dispose();
    disposeSnapshot(restored?.guardSnapshot);
    throw e;
  }
}

/** Frees every tensor the run owns (not the model, not the caller's masks). */
export function disposeRun(run: Run): void {
  disposeOptimizer(run.optimizer);
  if (run.ownedMasks) for (const t of run.ownedMasks.values()) t.dispose();
  if (run.guard) {
    disposeSnapshot(run.guard.snapshot);
    run.guard.x.dispose();
    run.guard.y.dispose();
  }
  run.fixedVal?.x.dispose();
  run.fixedVal?.y.dispose();
}

/** The run's checkpoint at its current position. */
export function checkpointOf(model: Model, run: Run): Promise<Checkpoint> {
  return makeCheckpoint({
    model,
    config: run.cfg,
    masks: run.masks,
    optimizer: run.optimizer,
    schedule: run.schedule,
    rngState: run.rng.state,
    epoch: run.epoch,
    batch: run.batch,
    step: run.step,
    lastLr: run.lastLr,
    accum: run.accum,
    history: run.history,
    lrChanges: run.lrChanges,
    guard: run.guard ? { state: run.guard.state, snapshot: run.guard.snapshot } : null,
  });
}
