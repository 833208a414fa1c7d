/**
 * Training checkpoints: everything a run needs to continue exactly as if it had not stopped, as
 * plain data (numbers, strings, Float32Arrays): structured-cloneable across the worker boundary
 * and storable (IndexedDB, a file). Contents: model spec and resolved config, weights (params and
 * BN buffers), masks, optimizer state, schedule state, RNG state, position (epoch, batch within
 * the epoch, global step), the partial epoch's running sums, the metrics and lr-change history,
 * and the FGSM-RS guard state with its pre-collapse weight snapshot.
 *
 * Exactness: the batch order of an epoch is a pure function of (seed, epoch), every attack seed
 * comes from the saved RNG stream, validation seeds from (seed, epoch), and weights and optimizer
 * state are restored bit for bit, so `trainModel(fresh model, …, resume)` reproduces the
 * uninterrupted run's batches, learning rates and weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkWeights, getWeights, setWeights, type WeightData } from '../model/init';
import { readMasks, type PlainMask } from '../model/masks';
import type { ModelSpec } from '../model/spec';
import type { Masks, Model, ParamName } from '../model/types';
import type { TrainConfig } from './config';
import { TrainError } from './errors';
import type { GuardState } from './objectives/overfit-guard';
import {
  exportOptimizerState,
  restoreOptimizer,
  type Optimizer,
  type OptimizerState,
} from './optimizers';
import type { ScheduleState } from './schedules';
import type { EpochMetrics, LrChangeRecord } from './types';

export const CHECKPOINT_FORMAT = 'advprune-train-checkpoint';
export const CHECKPOINT_VERSION = 1;

/** Running sums of the epoch in progress (so resumed epoch metrics equal uninterrupted ones). */
export interface EpochAccumulator {
  steps: number;
  samples: number;
  /** Σ batch loss × batch size */
  lossSum: number;
  cleanCorrect: number;
  advCorrect: number;
  /** samples with an adversarial accuracy (0 for standard training) */
  advSamples: number;
  /** milliseconds spent in this epoch so far */
  wallMs: number;
}

export function emptyAccumulator(): EpochAccumulator {
  return {
    steps: 0,
    samples: 0,
    lossSum: 0,
    cleanCorrect: 0,
    advCorrect: 0,
    advSamples: 0,
    wallMs: 0,
  };
}

export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  spec: ModelSpec;
  config: TrainConfig;
  /** every parameter and BN buffer */
  weights: Record<ParamName, WeightData>;
  /** masks in force, keyed by kernel name; null without masks */
  masks: Record<ParamName, PlainMask> | null;
  optimizer: OptimizerState;
  schedule: ScheduleState;
  /** state of the run's RNG stream (attack seeds) */
  rngState: number;
  /** epoch of the next step, from 0 */
  epoch: number;
  /** batch of the next step within `epoch`; = batches per epoch when only the epoch end is left */
  batch: number;
  /** optimizer steps done */
  step: number;
  /** learning rate of the last step (null before the first) */
  lastLr: number | null;
  accum: EpochAccumulator;
  history: EpochMetrics[];
  lrChanges: LrChangeRecord[];
  /** FGSM-RS guard: its state and the weights of the last passed check; null when off */
  guard: { state: GuardState; snapshot: Record<ParamName, WeightData> | null } | null;
}

/** The live state a checkpoint is made from (tensors are read, not kept). */
export interface CheckpointParts {
  model: Model;
  config: TrainConfig;
  masks: Masks | undefined;
  optimizer: Optimizer;
  schedule: ScheduleState;
  rngState: number;
  epoch: number;
  batch: number;
  step: number;
  lastLr: number | null;
  accum: EpochAccumulator;
  history: EpochMetrics[];
  lrChanges: LrChangeRecord[];
  guard: { state: GuardState; snapshot: Map<ParamName, tf.Tensor> | null } | null;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Reads the live state into a checkpoint (copies every tensor's data). */
export async function makeCheckpoint(p: CheckpointParts): Promise<Checkpoint> {
  const weights = Object.fromEntries(await getWeights(p.model));
  const masks = p.masks && p.masks.size > 0 ? Object.fromEntries(await readMasks(p.masks)) : null;
  let guard: Checkpoint['guard'] = null;
  if (p.guard) {
    let snapshot: Record<ParamName, WeightData> | null = null;
    if (p.guard.snapshot) {
      snapshot = {};
      for (const [name, t] of p.guard.snapshot) {
        snapshot[name] = { shape: [...t.shape], data: new Float32Array(await t.data()) };
      }
    }
    guard = { state: clone(p.guard.state), snapshot };
  }
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    spec: clone(p.model.spec),
    config: clone(p.config),
    weights,
    masks,
    optimizer: await exportOptimizerState(p.optimizer),
    schedule: clone(p.schedule),
    rngState: p.rngState,
    epoch: p.epoch,
    batch: p.batch,
    step: p.step,
    lastLr: p.lastLr,
    accum: { ...p.accum },
    history: clone(p.history),
    lrChanges: clone(p.lrChanges),
    guard,
  };
}

function bad(detail: string, cause?: unknown): TrainError {
  return new TrainError('bad-checkpoint', detail, cause === undefined ? undefined : { cause });
}

/** The live pieces a resumed run continues from (tensors owned by the caller). */
export interface RestoredState {
  optimizer: Optimizer;
  /** masks rebuilt from the checkpoint (the caller disposes them), or undefined */
  masks: Masks | undefined;
  guardSnapshot: Map<ParamName, tf.Tensor> | null;
}

/**
 * Loads the checkpoint's weights into `model` (same spec) and rebuilds its optimizer, masks and
 * guard snapshot. All-or-nothing: everything is validated before the model is touched.
 * @throws TrainError `bad-checkpoint` for a wrong format, another model, or inconsistent data
 */
export function restoreCheckpoint(model: Model, ckpt: Checkpoint): RestoredState {
  if (ckpt?.format !== CHECKPOINT_FORMAT || ckpt.version !== CHECKPOINT_VERSION) {
    throw bad(`not a version-${CHECKPOINT_VERSION} training checkpoint`);
  }
  if (JSON.stringify(ckpt.spec) !== JSON.stringify(model.spec)) {
    throw bad(
      `checkpoint is for model '${ckpt.spec.name}', not this '${model.spec.name}' (specs differ)`,
    );
  }
  for (const [k, v] of [
    ['epoch', ckpt.epoch],
    ['batch', ckpt.batch],
    ['step', ckpt.step],
  ] as const) {
    if (!(Number.isSafeInteger(v) && v >= 0)) throw bad(`${k} must be an integer ≥ 0, got ${v}`);
  }
  const weights = new Map(Object.entries(ckpt.weights));
  try {
    checkWeights(model.spec, weights);
  } catch (e) {
    throw bad(`weights: ${e instanceof Error ? e.message : String(e)}`, e);
  }
  if (ckpt.guard?.snapshot) {
    try {
      checkWeights(model.spec, new Map(Object.entries(ckpt.guard.snapshot)));
    } catch (e) {
      throw bad(`guard snapshot: ${e instanceof Error ? e.message : String(e)}`, e);
    }
  }
  let optimizer: Optimizer;
  try {
    optimizer = restoreOptimizer(ckpt.optimizer, model.params);
  } catch (e) {
    throw bad(`optimizer: ${e instanceof Error ? e.message : String(e)}`, e);
  }
  setWeights(model, weights);
  let masks: Masks | undefined;
  if (ckpt.masks) {
    masks = new Map();
    for (const [name, m] of Object.entries(ckpt.masks)) {
      masks.set(name, tf.tensor(Float32Array.from(m.data), m.shape, 'float32'));
    }
  }
  let guardSnapshot: Map<ParamName, tf.Tensor> | null = null;
  if (ckpt.guard?.snapshot) {
    guardSnapshot = new Map();
    for (const [name, w] of Object.entries(ckpt.guard.snapshot)) {
      guardSnapshot.set(name, tf.tensor(w.data.slice(), w.shape, 'float32'));
    }
  }
  return { optimizer, masks, guardSnapshot };
}
