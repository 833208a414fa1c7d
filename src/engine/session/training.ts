/**
 * The dashboard's training controls over `trainModel` (train/loop.ts): play, pause, one step,
 * resume and reset, for a plain run ('train') or the masked fine-tuning of a pruned model
 * ('finetune', prune/finetune.ts `fineTuneMasked`: Han et al. 2015, arXiv 1506.02626).
 *
 * - A run starts from the model's current weights, which are kept (plain data) so `reset`
 *   restores them bit for bit.
 * - `pause` is honoured between optimizer steps (trainModel's `pauseRequested`); the run keeps
 *   trainModel's checkpoint and `resume` continues it exactly (same batches, seeds, weights).
 * - `step` does exactly one optimizer step, from the paused position or as the first step of a
 *   new run, and pauses again.
 * - The abort flag (the session's cancel) stops a run like a pause: it stays resumable.
 * Progress ticks are throttled (throttle.ts); epoch metrics are sent as they come.
 */
import { getWeights, setWeights, type WeightData } from '../model/init';
import type { Model, ParamName } from '../model/types';
import type { Dataset } from '../data/dataset';
import { assertMaskedZero, fineTuneMasked } from '../prune/finetune';
import { disposeMasks, toTensorMasks } from '../prune/masks';
import type { PlainMasks } from '../prune/types';
import type { AbortFlag } from '../attacks/options';
import type { Checkpoint } from '../train/checkpoint';
import { parseTrainConfig, type TrainConfig, type TrainConfigInput } from '../train/config';
import { trainModel } from '../train/loop';
import type { EpochMetrics, TrainHooks, TrainProgress, TrainResult } from '../train/types';
import { SessionError } from './errors';
import { throttle } from './throttle';
import type { TrainState, TrainTick } from './types';

export type OnTick = (t: TrainTick) => void;
export type OnEpoch = (e: EpochMetrics) => void;

interface Run extends AdoptedRun {
  /** an opened stored run without a checkpoint: resume starts it again from `before` */
  restart: boolean;
}

/** Hooks of one training call. */
export interface DriveHooks {
  onTick?: OnTick;
  onEpoch?: OnEpoch;
  signal: AbortFlag;
  /** pause again after exactly one optimizer step */
  oneStep?: boolean;
  /** a checkpoint made at an epoch end or because `checkpointDue` said so (awaited) */
  onCheckpoint?: (c: Checkpoint, why: 'epoch' | 'timer', state: TrainState) => Promise<unknown>;
  /** polled between steps: whether a timer checkpoint is due */
  checkpointDue?: () => boolean;
}

/** A run's settings, weights and state; also what a stored run is adopted from (session/runs.ts). */
export interface AdoptedRun {
  /** the run's id in the run store ('' when not persisted) */
  id: string;
  kind: 'train' | 'finetune';
  config: TrainConfig;
  /** the weights the run started from (reset restores them) */
  before: Map<ParamName, WeightData>;
  /** fine-tuning masks (plain) */
  masks: PlainMasks | null;
  checkpoint: Checkpoint | null;
  state: TrainState;
}

const IDLE: TrainState = {
  runId: null,
  status: 'idle',
  kind: null,
  step: 0,
  epoch: 0,
  totalSteps: 0,
  history: [],
  lrChanges: [],
  message: '',
};

/** What a run trains on; resolved by the session when the run starts. */
export interface TrainData {
  model: Model;
  train: Dataset;
  val: Dataset;
}

export class TrainController {
  private run: Run | null = null;
  /** how many runs reached trainModel (the weights may have changed since the last look) */
  drives = 0;
  private pauseWanted = false;
  private running = false;

  /** Plain-data state of the current run ('idle' without one). */
  state(): TrainState {
    const s = this.run?.state ?? IDLE;
    return { ...s, history: [...s.history], lrChanges: [...s.lrChanges] };
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** kind of the current run, null without one */
  get kind(): 'train' | 'finetune' | null {
    return this.run?.kind ?? null;
  }

  /** the masks of a fine-tuning run (null for a plain run or none) */
  get fineTuneMasks(): PlainMasks | null {
    return this.run?.masks ?? null;
  }

  /** Ask the running run to pause before its next step (no-op when none runs). */
  pause(): void {
    if (this.running) this.pauseWanted = true;
  }

  /**
   * Start a new run from the model's current weights (a paused run is dropped). `onBegin` is
   * awaited before the first step with the run's settings and starting weights (to store them).
   */
  async start(
    d: TrainData,
    config: TrainConfigInput,
    hooks: DriveHooks & {
      id?: string;
      onBegin?: (run: {
        id: string;
        kind: 'train' | 'finetune';
        config: TrainConfig;
        before: Map<ParamName, WeightData>;
        state: TrainState;
      }) => Promise<unknown>;
    },
    fineTune?: PlainMasks,
  ): Promise<TrainState> {
    this.assertNotRunning();
    const cfg = parseTrainConfig({ ...config, progressEvery: 1 });
    const before = await getWeights(d.model);
    const n = d.train.labels.length;
    const spe = cfg.dropLast ? Math.floor(n / cfg.batchSize) : Math.ceil(n / cfg.batchSize);
    const kind = fineTune ? 'finetune' : 'train';
    const id = hooks.id ?? '';
    this.run = {
      id,
      kind,
      config: cfg,
      before,
      masks: fineTune ?? null,
      checkpoint: null,
      restart: false,
      state: { ...IDLE, runId: id || null, kind, totalSteps: cfg.epochs * spe },
    };
    await hooks.onBegin?.({ id, kind, config: cfg, before, state: this.state() });
    return this.drive(d, hooks, undefined);
  }

  /** Continue the paused (or stopped) run; an opened run without a checkpoint starts again. */
  async resume(d: TrainData, hooks: DriveHooks): Promise<TrainState> {
    this.assertNotRunning();
    const r = this.run;
    if (r?.restart) {
      setWeights(d.model, r.before);
      r.restart = false;
      r.state = { ...IDLE, runId: r.id || null, kind: r.kind, totalSteps: r.state.totalSteps };
      return this.drive(d, hooks, undefined);
    }
    if (!r?.checkpoint)
      throw new SessionError(
        `there is no paused run to resume (training is ${r?.state.status ?? 'idle'}): press Play to start one`,
      );
    return this.drive(d, hooks, r.checkpoint);
  }

  /** True when a paused or stopped run can be resumed. */
  get canResume(): boolean {
    return !this.running && (this.run?.checkpoint != null || this.run?.restart === true);
  }

  /**
   * Take over a stored run (the model already holds its latest weights): it becomes the current
   * run, resumable from its checkpoint, or from its start when it has none.
   */
  adopt(a: AdoptedRun): void {
    this.assertNotRunning();
    const interrupted = a.state.status === 'running' || a.state.status === 'idle';
    this.run = {
      id: a.id,
      kind: a.kind,
      config: a.config,
      before: a.before,
      masks: a.masks,
      checkpoint: a.checkpoint,
      restart: a.checkpoint === null && interrupted,
      state: {
        ...a.state,
        runId: a.id,
        kind: a.kind,
        status: interrupted ? 'paused' : a.state.status,
        history: [...a.state.history],
        lrChanges: [...a.state.lrChanges],
      },
    };
  }

  /** The current run's batch size (undefined without a run). */
  get batchSize(): number | undefined {
    return this.run?.config.batchSize;
  }

  /** The current run's latest checkpoint (null without one). */
  get checkpoint(): Checkpoint | null {
    return this.run?.checkpoint ?? null;
  }

  /** The current run's id ('' when not persisted, null without a run). */
  get runId(): string | null {
    return this.run ? this.run.id : null;
  }

  /** Restore the weights the run started from and forget the run. Returns whether it had one. */
  reset(model: Model): boolean {
    this.assertNotRunning();
    if (!this.run) return false;
    setWeights(model, this.run.before);
    this.run = null;
    return true;
  }

  /** Forget the run without touching the model (the model or data was replaced). */
  clear(): void {
    this.assertNotRunning();
    this.run = null;
  }

  private assertNotRunning(): void {
    if (this.running)
      throw new SessionError('training is running: pause it (or wait for it) first');
  }

  private async drive(
    d: TrainData,
    h: DriveHooks,
    resume: Checkpoint | undefined,
  ): Promise<TrainState> {
    const r = this.run as Run;
    const ticks = throttle<TrainTick>((t) => h.onTick?.(t));
    let polls = 0;
    const hooks: TrainHooks = {
      signal: h.signal,
      pauseRequested: () => this.pauseWanted || (h.oneStep === true && polls++ >= 1),
      onProgress: (p: TrainProgress) => {
        r.state.step = p.step;
        r.state.epoch = p.epoch;
        ticks.push({
          step: p.step,
          epoch: p.epoch,
          epochs: p.epochs,
          batchesPerEpoch: p.batchesPerEpoch,
          loss: p.loss,
          cleanAcc: p.cleanAcc,
          advAcc: p.advAcc,
          lr: p.lr,
          samplesPerSec: p.samplesPerSec,
          etaSec: p.etaSec,
        });
      },
      onEpochEnd: (e) => {
        r.state.history.push(e);
        ticks.flush();
        h.onEpoch?.(e);
      },
      onLrChange: (c) => r.state.lrChanges.push(c),
      checkpointDue: h.checkpointDue,
      onCheckpoint: h.onCheckpoint
        ? async (c, why) => {
            r.checkpoint = c;
            await h.onCheckpoint?.(c, why, this.state());
          }
        : undefined,
    };
    this.running = true;
    this.drives++;
    this.pauseWanted = false;
    r.state.status = 'running';
    r.state.message = '';
    let result: TrainResult;
    try {
      result = await this.runOnce(d, r, hooks, resume);
    } catch (e) {
      r.state.status = r.checkpoint ? 'paused' : 'idle';
      r.state.message = e instanceof Error ? e.message : String(e);
      throw e;
    } finally {
      this.running = false;
      this.pauseWanted = false;
      ticks.flush();
    }
    r.checkpoint = result.checkpoint;
    r.restart = false;
    r.state = {
      ...r.state,
      status: result.status,
      step: result.step,
      epoch: result.epoch,
      history: [...result.history],
      lrChanges: [...result.lrChanges],
      message: result.message,
    };
    return this.state();
  }

  private async runOnce(
    d: TrainData,
    r: Run,
    hooks: TrainHooks,
    resume: Checkpoint | undefined,
  ): Promise<TrainResult> {
    const inputs = { train: d.train, val: d.val };
    if (r.masks === null) return trainModel(d.model, inputs, r.config, hooks, resume);
    if (!resume) return fineTuneMasked(d.model, r.masks, inputs, r.config, hooks);
    // resuming a fine-tune: the checkpoint carries the masks; verify them afterwards as fineTuneMasked does
    const out = await trainModel(d.model, inputs, r.config, hooks, resume);
    const masks = toTensorMasks(r.masks);
    try {
      await assertMaskedZero(d.model, masks);
    } finally {
      disposeMasks(masks);
    }
    return out;
  }
}
