/**
 * What the training loop streams and returns, all plain data (crosses the worker boundary as is),
 * and the caller's hooks.
 */
import type { AbortFlag } from '../attacks/options';
import type { Masks, Model } from '../model/types';
import type { Dataset } from '../data/dataset';
import type { Checkpoint } from './checkpoint';
import type { GuardCheck, GuardState } from './objectives/overfit-guard';
import type { OfflineSetsInfo } from './protocol';
import type { LrChange } from './schedules';

/** One progress event (every `progressEvery` steps and at each epoch's last batch). */
export interface TrainProgress {
  /** optimizer steps done so far, including this one */
  step: number;
  /** epoch of this step, from 0 */
  epoch: number;
  /** batch of this step within its epoch, from 0 */
  batch: number;
  batchesPerEpoch: number;
  epochs: number;
  /** this batch's training loss, nats */
  loss: number;
  /** accuracy of this batch's clean inputs, [0, 1] (training-mode BN) */
  cleanAcc: number;
  /** accuracy on this batch's adversarial inputs (the objective's own attack), [0, 1]; null for standard */
  advAcc: number | null;
  /** learning rate of this step */
  lr: number;
  /** training throughput of this session, samples per second (steps only, validation excluded) */
  samplesPerSec: number;
  /** estimated seconds to the end of the run at that throughput (validation excluded) */
  etaSec: number;
}

/** Per-epoch metrics. */
export interface EpochMetrics {
  /** from 0 */
  epoch: number;
  /** optimizer steps in this epoch */
  steps: number;
  /** sample-weighted mean training loss, nats */
  trainLoss: number;
  /** clean accuracy over the epoch's training batches, [0, 1] */
  trainCleanAcc: number;
  /** adversarial accuracy over the epoch's training batches (objective's attack), or null */
  trainAdvAcc: number | null;
  /** clean accuracy on the validation subset, or null when not evaluated this epoch */
  valCleanAcc: number | null;
  /** PGD-L∞ accuracy on the validation subset (config.validation), or null */
  valAdvAcc: number | null;
  /**
   * offline-adversarial protocol only (absent otherwise): accuracy on the fixed adversarial
   * validation set made before the first epoch, measured every epoch; what AccelAT reads there
   */
  valFixedAdvAcc?: number;
  /** learning rate of the epoch's last step */
  lr: number;
  /** wall-clock seconds spent on this epoch (steps and validation, summed across resumes) */
  wallSec: number;
}

/** A logged learning-rate change. */
export interface LrChangeRecord extends LrChange {
  /** epoch in which the new rate is first used (AccelAT: the epoch after the one that ended) */
  epoch: number;
  /** global index of the first step that uses the new rate */
  step: number;
}

export interface TrainHooks {
  onProgress?(p: TrainProgress): void;
  /**
   * Pipeline the steps: dispatch step k+1 before reading step k, with each update committed on
   * the device behind a finiteness gate (train/step.ts), so the device never waits for the host
   * between steps. Same results bit for bit; a divergence is still caught at its own step.
   * Default: on for WebGPU, off elsewhere (step-pipeline.ts PIPELINED_BACKENDS).
   */
  pipelined?: boolean;
  onEpochEnd?(e: EpochMetrics): void;
  onLrChange?(c: LrChangeRecord): void;
  /** set `aborted` to stop between batches (or inside an attack); returns 'stopped' + checkpoint */
  signal?: AbortFlag;
  /** polled between batches; true pauses the run: returns 'paused' + checkpoint */
  pauseRequested?(): boolean;
  /**
   * Receives a checkpoint that resumes exactly (like the 'paused' one), awaited before training
   * goes on. `why`: 'epoch' after each epoch end (metrics, validation, lr changes and the per-epoch
   * FGSM-RS guard done; the checkpoint sits at the next epoch's first batch; also after the last
   * epoch), 'timer' between steps when `checkpointDue` returns true. An error it throws ends
   * trainModel with that error (catch inside to keep training).
   */
  onCheckpoint?(c: Checkpoint, why: 'epoch' | 'timer'): void | Promise<void>;
  /**
   * Polled between steps (after `signal` and `pauseRequested`), only with `onCheckpoint`: true
   * makes a 'timer' checkpoint now. Making one reads every weight (cost of one pause), so rate-limit
   * it (e.g. true once a minute; reset the clock in `onCheckpoint`).
   */
  checkpointDue?(): boolean;
  /**
   * Replaces the FGSM-RS guard's PGD/FGSM measurement (for tests or a custom check); receives the
   * model (inference mode is the caller's choice) and the masks.
   */
  overfitCheck?(model: Model, masks: Masks | undefined): Promise<GuardCheck>;
  /**
   * Offline-adversarial protocol: replaces the measurement of the accuracy on the fixed
   * adversarial validation set at the end of `epoch` (for tests: a scripted sequence).
   */
  offlineValAccuracy?(model: Model, masks: Masks | undefined, epoch: number): Promise<number>;
  /** Offline-adversarial protocol: the sets are made (before the first step). */
  onOfflineSets?(info: OfflineSetsInfo): void;
}

/** What to train on. */
export interface TrainInputs {
  /** training set; images must match the model's input shape and classes */
  train: Dataset;
  /** validation set (needed for validation metrics and for AccelAT) */
  val?: Dataset;
  /**
   * masks kept applied and enforced (pruned weights stay exactly 0); owned by the caller. When
   * resuming without them, the checkpoint's masks are used.
   */
  masks?: Masks;
}

/**
 * - completed: every epoch ran
 * - paused: `pauseRequested` returned true; resume from `checkpoint`
 * - stopped: `signal.aborted`; `checkpoint` allows resuming
 * - diverged: a NaN/±Inf loss or gradient, or an update that would make a weight, the optimizer
 *   state or a BN running statistic non-finite; that update was not applied and `checkpoint`
 *   holds the last good step (the message names the step, the culprit and advice)
 * - catastrophic-overfitting: the FGSM-RS guard fired; weights restored to the last good check
 */
export type TrainStatus =
  'completed' | 'paused' | 'stopped' | 'diverged' | 'catastrophic-overfitting';

export interface TrainResult {
  status: TrainStatus;
  /** human-readable summary (the reason for every status but 'completed') */
  message: string;
  /** position reached: epoch and batch of the next step, global steps done */
  epoch: number;
  batch: number;
  step: number;
  history: EpochMetrics[];
  lrChanges: LrChangeRecord[];
  /** FGSM-RS guard state (checks so far), null for other objectives or with the guard off */
  guard: GuardState | null;
  /**
   * for 'paused', 'stopped' and 'diverged': everything needed to resume exactly (for 'diverged',
   * the state before the failing step); else null
   */
  checkpoint: Checkpoint | null;
  /** offline-adversarial protocol only: how its sets were made (absent otherwise) */
  offline?: OfflineSetsInfo;
}
