/**
 * The session's side of persistence (issue 6: nothing lost on reload or crash). `RunKeeper` owns
 * the run store and the recorder of the live run: it makes the record when a run starts, hands
 * the training loop its checkpoint hooks (every epoch end and every `everySec` seconds), saves on
 * pause and at the end, and reads stored runs back for the session to reopen or resume.
 * The session (session.ts) coordinates it with the dataset (data-state.ts) and the model (models.ts).
 */
import { getWeights, type WeightData } from '../model/init';
import { countModel } from '../model/counts';
import type { ModelSpec } from '../model/spec';
import type { Model, ParamName } from '../model/types';
import type { Checkpoint } from '../train/checkpoint';
import { parseTrainConfig, type TrainConfig } from '../train/config';
import { SessionError } from './errors';
import type { AdoptedRun } from './training';
import { CHECKPOINT_EVERY_SEC, RunRecorder, type SessionEvent } from './recorder';
import {
  RUN_RECORD_VERSION,
  RunStoreError,
  type DatasetRef,
  type RunRecord,
  type RunStore,
  type StoredFile,
  type StoredWeights,
} from './run-store';
import type { TrainState } from './types';

/** A stored run read back: its record and what it needs to continue. */
export interface LoadedRun {
  record: RunRecord;
  checkpoint: Checkpoint | null;
  start: StoredWeights | null;
  final: StoredWeights | null;
}

/** What a run trains on, as the session knows it. */
export interface RunSource {
  dataset: DatasetRef;
  /** the user's files (stored with the first run that uses them) */
  files?: StoredFile[];
  model: Model;
  modelSource: string;
  backend: string;
}

let counter = 0;
/** A new run id: time (base 36) and a counter, unique within a browser profile in practice. */
export function newRunId(): string {
  counter = (counter + 1) % 1296;
  const rand = Math.floor(Math.random() * 36 ** 4).toString(36);
  return `run-${Date.now().toString(36)}-${counter.toString(36)}${rand}`;
}

/** A short readable name of a run, e.g. 'pgd-at · lenet · 10 epochs'. */
export function runName(kind: 'train' | 'finetune', config: TrainConfig, arch: string): string {
  const what = kind === 'finetune' ? `fine-tune (${config.objective.kind})` : config.objective.kind;
  return `${what} · ${arch} · ${config.epochs} epoch${config.epochs === 1 ? '' : 's'}`;
}

const toRecord = (m: Map<ParamName, WeightData>): StoredWeights => Object.fromEntries(m);

export class RunKeeper {
  private recorder: RunRecorder | null = null;
  private listener: ((e: SessionEvent) => void) | null = null;

  constructor(
    readonly store: RunStore | null,
    private everySec = CHECKPOINT_EVERY_SEC,
  ) {}

  /** Seconds of training between timer checkpoints of runs started from now on (≥ 1). */
  setEvery(sec: number): void {
    if (!(Number.isFinite(sec) && sec >= 1))
      throw new SessionError(`the checkpoint interval must be a number of seconds ≥ 1, got ${sec}`);
    this.everySec = sec;
  }

  /** Where session events go (the worker forwards them to the UI). */
  watch(listener: ((e: SessionEvent) => void) | null): void {
    this.listener = listener;
  }

  emit(e: SessionEvent): void {
    this.listener?.(e);
  }

  /** The last failed save of the live run, if the latest attempt failed. */
  get lastError(): RunStoreError | null {
    return this.recorder?.lastError ?? null;
  }

  /** The id a new run gets ('' without a store: not persisted). */
  nextId(): string {
    return this.store ? newRunId() : '';
  }

  /** The loop's checkpoint hooks for the live run (none without a store). */
  hooks(): {
    checkpointDue?: () => boolean;
    onCheckpoint?: (c: Checkpoint, why: 'epoch' | 'timer', s: TrainState) => Promise<unknown>;
  } {
    if (!this.store) return {};
    return {
      checkpointDue: () => this.recorder?.due() ?? false,
      onCheckpoint: async (c, why, s) => {
        if (this.recorder && this.recorder.id === s.runId)
          await this.recorder.checkpoint(c, why, s);
      },
    };
  }

  /** A run starts: write its record, its starting weights and (once) the user's dataset files. */
  async begin(
    run: {
      id: string;
      kind: 'train' | 'finetune';
      config: TrainConfig;
      before: Map<ParamName, WeightData>;
      state: TrainState;
    },
    src: RunSource,
  ): Promise<void> {
    if (!this.store || !run.id) return;
    const now = new Date().toISOString();
    const spec = src.model.spec;
    const record: RunRecord = {
      version: RUN_RECORD_VERSION,
      id: run.id,
      name: runName(run.kind, run.config, spec.name),
      kind: run.kind,
      createdAt: now,
      updatedAt: now,
      status: 'running',
      message: '',
      step: 0,
      epoch: 0,
      totalSteps: run.state.totalSteps,
      config: run.config,
      dataset: src.dataset,
      model: { spec, source: src.modelSource, params: countModel(spec).total.params },
      history: [],
      lrChanges: [],
      checkpointStep: null,
      hasFinal: false,
      savedBy: 'start',
      backend: src.backend,
    };
    this.recorder = new RunRecorder(this.store, record, (e) => this.emit(e), this.everySec);
    let files: StoredFile[] | undefined;
    if (src.dataset.kind === 'files' && src.files) {
      const key = src.dataset.key;
      if (!(await this.store.hasDatasetFiles(key).catch(() => false))) files = src.files;
    }
    await this.recorder.save(
      'start',
      { ...run.state, status: 'running' },
      { start: toRecord(run.before), checkpoint: null, datasetFiles: files },
    );
  }

  /**
   * A training call resolved (paused, completed, diverged, …) or threw: save where it stands,
   * with the checkpoint (resumable states) and, for a completed run, the final weights.
   */
  async settle(state: TrainState, checkpoint: Checkpoint | null, model: Model): Promise<void> {
    const r = this.recorder;
    if (!r || r.id !== state.runId) return;
    const final = state.status === 'completed' ? toRecord(await getWeights(model)) : undefined;
    const reason = state.status === 'paused' || state.status === 'stopped' ? 'pause' : 'end';
    await r.save(reason, state, { checkpoint, final });
  }

  /** Continue saving into a stored run after it was reopened. */
  follow(record: RunRecord): void {
    if (this.store)
      this.recorder = new RunRecorder(this.store, record, (e) => this.emit(e), this.everySec);
  }

  /** Stop saving the live run (its model or data was replaced). */
  forget(): void {
    this.recorder = null;
  }

  async list(): Promise<RunRecord[]> {
    return this.store ? this.store.list() : [];
  }

  /** Read a stored run back (its record, checkpoint, start and final weights). */
  async load(id: string): Promise<LoadedRun> {
    const store = this.requireStore();
    const record = await store.get(id);
    if (!record) throw new SessionError(`there is no stored run '${id}' (deleted?)`);
    if (record.version !== RUN_RECORD_VERSION)
      throw new RunStoreError(
        id,
        'corrupt',
        `record version ${String(record.version)} is not ${RUN_RECORD_VERSION}`,
      );
    const [checkpoint, start, final] = await Promise.all([
      store.checkpoint(id),
      store.startWeights(id),
      store.finalWeights(id),
    ]);
    try {
      record.config = parseTrainConfig(record.config);
    } catch (e) {
      throw new RunStoreError(
        id,
        'corrupt',
        `the stored config is invalid: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
    if (!checkpoint && !start && !final)
      throw new RunStoreError(
        id,
        'corrupt',
        'the run has no stored weights (its first save failed)',
      );
    return { record, checkpoint, start, final };
  }

  async datasetFiles(key: string): Promise<StoredFile[]> {
    const files = await this.requireStore().datasetFiles(key);
    if (!files) throw new RunStoreError(key, 'not-found', "the run's dataset files are not stored");
    return files;
  }

  async delete(id: string, liveId: string | null, running: boolean): Promise<void> {
    if (running && liveId === id)
      throw new SessionError('this run is training: pause it before you delete it');
    await this.requireStore().delete(id);
    if (this.recorder?.id === id) this.recorder = null;
  }

  /** Storage use and quota where the platform tells them, and the last failed save. */
  async storageInfo(): Promise<{
    kind: string;
    usage: number | null;
    quota: number | null;
    lastError: string | null;
  }> {
    const est = (await this.store?.estimate().catch(() => null)) ?? null;
    return {
      kind: this.store?.kind ?? 'none',
      usage: est?.usage ?? null,
      quota: est?.quota ?? null,
      lastError: this.lastError?.message ?? null,
    };
  }

  async flush(): Promise<void> {
    await this.recorder?.flush();
  }

  private requireStore(): RunStore {
    if (!this.store) throw new SessionError('this session keeps no runs (no run store)');
    return this.store;
  }
}

/**
 * What a reopened run continues from: the model (spec and weights of the last checkpoint, else
 * the final, else the starting weights) and the run for TrainController.adopt (an interrupted
 * run without a checkpoint restarts from its starting weights).
 */
export function restoredRun(l: LoadedRun): {
  spec: ModelSpec;
  weights: Map<ParamName, WeightData>;
  run: AdoptedRun;
} {
  const { record, checkpoint, start, final } = l;
  const weights = (checkpoint?.weights ?? final ?? start) as StoredWeights;
  return {
    spec: checkpoint?.spec ?? record.model.spec,
    weights: new Map(Object.entries(weights)),
    run: {
      id: record.id,
      kind: record.kind,
      config: record.config,
      before: new Map(Object.entries(start ?? weights)),
      masks: checkpoint?.masks ? new Map(Object.entries(checkpoint.masks)) : null,
      checkpoint,
      state: {
        runId: record.id,
        status: record.status,
        kind: record.kind,
        step: checkpoint?.step ?? (final ? record.step : 0),
        epoch: checkpoint?.epoch ?? (final ? record.epoch : 0),
        totalSteps: record.totalSteps,
        history: checkpoint?.history ?? record.history,
        lrChanges: checkpoint?.lrChanges ?? record.lrChanges,
        message: record.message,
      },
    },
  };
}
