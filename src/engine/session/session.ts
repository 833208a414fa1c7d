/**
 * The dashboard's engine state: one dataset, one model, a training run, pruning scores, the
 * sparsity slider and the views, behind methods that take and return plain data (types.ts). The
 * worker (src/workers/engine.worker.ts) exposes one Session through Comlink; tests drive it in
 * Node. Docs: docs/worker-api.md.
 *
 * The Session coordinates; each job lives in its own module: the dataset (data-state.ts), the
 * model files and description (models.ts), the weights version (versions.ts), training
 * (training.ts) and its stored runs (runs.ts), pruning and the slider (prune-state.ts), the views
 * (views.ts), the export (export.ts), and running each call with its abort flag and readable
 * failures (jobs.ts, failures.ts).
 *
 * State rules:
 * - Replacing the dataset or the model (only on success: a bad file leaves everything as it was)
 *   drops the scores, the slider and the training run.
 * - Every change of the weights (training, fine-tuning, reset) gets a new weights version; scores
 *   and the slider remember the version they were computed on and are rebuilt when it moved
 *   (reset returns to the previous version, so earlier scores are valid again; versions.ts).
 * - While training runs, calls that read the model are refused with a readable SessionError.
 * - Cancellation is per call (api.ts): a call given a `CallToken` stops when `abort(token.id)`
 *   comes (scores, slider and views reject with "… was cancelled", evaluateSparsity resolves
 *   'cancelled'); a newer evaluateSparsity supersedes an older one; training stops with pause().
 */
import * as tf from '@tensorflow/tfjs-core';
import { describeBackend, type BackendName } from '../backend';
import type { BackendDescription } from '../backend/describe';
import { initBackendWithPolicy, type PolicyOptions } from '../backend/adapter';
import type { AbortFlag } from '../attacks/options';
import { disposeModel, modelFromWeights } from '../model/init';
import { checkSpec } from '../model/validate';
import type { Model } from '../model/types';
import type { TrainConfigInput } from '../train/config';
import { datasetFromFiles } from './datasets';
import {
  bundledInput,
  filesInput,
  isDataset,
  makeDataState,
  VAL_FRACTION,
  VAL_SEED,
  type DataInput,
  type DataState,
} from './data-state';
import { SessionError } from './errors';
import { exportFiles as buildExport } from './export';
import { explainJobFailure } from './failures';
import { Jobs } from './jobs';
import {
  assertFits,
  describeModel,
  modelFromSafetensors,
  modelFromTfjs,
  newArchitectureModel,
} from './models';
import { PruneState } from './prune-state';
import { sparsityCurves, transferBenchmarkOf } from './benchmarks';
import { TrainController, type OnEpoch, type OnTick } from './training';
import type { SessionEvent } from './recorder';
import type { CallToken, SessionApi } from './api';
import { isSparsity } from './slider-limits';
import { type DatasetRef, type RunRecord, type RunStore, type StoredFile } from './run-store';
import { restoredRun, RunKeeper } from './runs';
import { WeightsVersions } from './versions';
import * as views from './views';
import { resolveAttack } from './scoring';
import type {
  AdversarialExample,
  AttackChoice,
  BackendInfo,
  Criterion,
  DatasetInfo,
  EvaluateResult,
  ExportedFile,
  ExportKind,
  LayerDistribution,
  ModelInfo,
  NeuronView,
  Progress,
  ScoreHistogram,
  ScoreRequest,
  ScoreSummary,
  SliderInfo,
  PathInfo,
  SliderPoint,
  SliderRequest,
  SparsityCurve,
  TrainState,
  TransferRequest,
  TransferResult,
} from './types';

/** Where the session's files come from, and how it starts a backend. */
export interface SessionIO {
  /** reads a file of the app's public folder, e.g. 'models/default.safetensors' */
  readPublic?(path: string): Promise<Uint8Array>;
  /** backend options for `init` (loaders, WASM paths, adapter probe); `prefer` comes from init */
  backend?: Omit<PolicyOptions, 'prefer'>;
  /** where training runs are saved (IndexedDB in the worker); none: runs are not persisted */
  store?: RunStore;
  /** seconds of training between two timer checkpoints (default 30) */
  checkpointEverySec?: number;
}

export { VAL_FRACTION, VAL_SEED };

interface ModelState {
  model: Model;
  source: string;
}

export class Session implements SessionApi {
  private data: DataState | null = null;
  private current: ModelState | null = null;
  private readonly training = new TrainController();
  private readonly prune = new PruneState();
  private readonly versions = new WeightsVersions();
  private readonly runs: RunKeeper;
  private readonly jobs = new Jobs((what, e) =>
    explainJobFailure(what, e, {
      batchSize: this.training.batchSize,
      emit: (ev) => this.runs.emit(ev),
    }),
  );

  constructor(private readonly io: SessionIO = {}) {
    this.runs = new RunKeeper(io.store ?? null, io.checkpointEverySec);
  }

  /** Seconds of training between timer checkpoints (≥ 1; default 30). */
  setCheckpointInterval(sec: number): void {
    this.runs.setEvery(sec);
  }

  /** Receive session events: saves, storage errors, a lost device (null stops them). */
  watch(listener: ((e: SessionEvent) => void) | null): void {
    this.runs.watch(listener);
  }

  // ---- backend -------------------------------------------------------------------------------

  /** Start a backend (policy: backend/adapter.ts) and describe it. */
  async init(prefer?: BackendName): Promise<BackendInfo> {
    const choice = await initBackendWithPolicy({ ...this.io.backend, prefer });
    return { ...choice, details: await describeBackend() };
  }

  /** Live tensor count and bytes. */
  memory(): { numTensors: number; numBytes: number } {
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes };
  }

  /** The live backend's adapter, limits and features. */
  describe(): Promise<BackendDescription> {
    return describeBackend();
  }

  /** Stop the call that carries this token id (api.ts); no-op when it has finished. */
  abort(id: string): void {
    this.jobs.abort(id);
  }

  // ---- dataset -------------------------------------------------------------------------------

  /** Use datasets directly (tests, the CLI). The validation set is split off unless given. */
  useDataset(d: DataInput): DatasetInfo {
    this.assertNotTraining('replace the dataset');
    const state = makeDataState(d);
    this.resetDerived();
    this.data = state;
    return state.info;
  }

  /** Fashion-MNIST from the app's public/datasets/fashion-mnist/. */
  async loadBundledDataset(): Promise<DatasetInfo> {
    return this.useDataset(await bundledInput(this.reader()));
  }

  /** A user's IDX pair(s) or CIFAR batches (session/datasets.ts); errors keep the old dataset. */
  async loadDatasetFiles(files: { name: string; bytes: ArrayBuffer }[]): Promise<DatasetInfo> {
    if (!Array.isArray(files)) throw new SessionError('loadDatasetFiles needs a list of files');
    return this.useFiles(files.map((f) => ({ name: f.name, bytes: new Uint8Array(f.bytes) })));
  }

  private async useFiles(stored: StoredFile[]): Promise<DatasetInfo> {
    return this.useDataset(filesInput(await datasetFromFiles(stored), stored));
  }

  datasetInfo(): DatasetInfo | null {
    return this.data?.info ?? null;
  }

  // ---- model ---------------------------------------------------------------------------------

  /** Use a model directly (tests); the session owns and disposes it from now on. */
  useModel(model: Model, source: string): ModelInfo {
    this.assertNotTraining('replace the model');
    this.resetDerived();
    if (this.current) disposeModel(this.current.model);
    this.versions.loaded();
    this.current = { model, source };
    return describeModel(model, source);
  }

  /** The default pretrained model, public/models/default.safetensors. */
  async loadDefaultModel(): Promise<ModelInfo> {
    const bytes = await this.reader()('models/default.safetensors');
    return this.useModel(modelFromSafetensors(bytes, 'default.safetensors'), 'default');
  }

  /** A fresh model of a built-in architecture for the loaded dataset's shape and classes. */
  newModel(architecture: string, seed: number): ModelInfo {
    const shape = this.data?.info.shape ?? [28, 28, 1];
    const k = this.data?.info.numClasses ?? 10;
    return this.useModel(newArchitectureModel(architecture, seed, shape, k), 'new');
  }

  /** A model file saved by the app or the CLI (safetensors). */
  async importModel(bytes: ArrayBuffer, fileName: string): Promise<ModelInfo> {
    return this.useModel(modelFromSafetensors(new Uint8Array(bytes), fileName), fileName);
  }

  /** A tfjs model.json (text) with its weights.bin. */
  async importTfjs(json: string, weights: ArrayBuffer): Promise<ModelInfo> {
    return this.useModel(modelFromTfjs(json, new Uint8Array(weights)), 'model.json');
  }

  modelInfo(): ModelInfo | null {
    return this.current ? describeModel(this.current.model, this.current.source) : null;
  }

  // ---- training ------------------------------------------------------------------------------

  /** Start a training run; resolves when it completes, pauses, stops or diverges. */
  async train(config: TrainConfigInput, onTick?: OnTick, onEpoch?: OnEpoch): Promise<TrainState> {
    return this.runTraining((signal) =>
      this.training.start(
        this.trainData(),
        config ?? {},
        this.startHooks({ onTick, onEpoch, signal }),
      ),
    );
  }

  /** Exactly one optimizer step (of the paused run, or the first of a new one), then paused. */
  async step(config: TrainConfigInput, onTick?: OnTick, onEpoch?: OnEpoch): Promise<TrainState> {
    const hooks = { onTick, onEpoch, oneStep: true, ...this.runs.hooks() };
    if (this.training.canResume)
      return this.runTraining(
        (signal) => this.training.resume(this.trainData(), { ...hooks, signal }),
        true,
      );
    return this.runTraining((signal) =>
      this.training.start(this.trainData(), config ?? {}, this.startHooks({ ...hooks, signal })),
    );
  }

  /** Continue the paused run from its checkpoint. */
  async resume(onTick?: OnTick, onEpoch?: OnEpoch): Promise<TrainState> {
    return this.runTraining(
      (signal) =>
        this.training.resume(this.trainData(), { onTick, onEpoch, signal, ...this.runs.hooks() }),
      true,
    );
  }

  /** Pause the running run before its next step. */
  pause(): void {
    this.training.pause();
  }

  /** Restore the weights the run started from and clear the run. */
  async resetTraining(): Promise<TrainState> {
    const m = this.requireModel();
    if (this.training.reset(m)) {
      this.versions.runReset();
      await this.prune.clearFineTune();
    }
    return this.training.state();
  }

  trainState(): TrainState {
    return this.training.state();
  }

  /**
   * Fine-tune the model under the slider's masks (prune/finetune.ts). The model keeps the
   * fine-tuned weights (pruned ones exactly 0); the slider keeps its ranking, cannot go below the
   * fine-tuned sparsity, and its evaluator is rebuilt on the new weights (session/slider.ts).
   */
  async fineTunePruned(
    config: TrainConfigInput,
    onTick?: OnTick,
    onEpoch?: OnEpoch,
  ): Promise<TrainState> {
    this.assertNotTraining('fine-tune');
    const { sparsity, masks } = await this.jobs.run('fine-tuning', (signal) =>
      this.prune.fineTuneTarget(this.pruneCtx(signal)),
    );
    return this.runTraining(
      (signal) =>
        this.training.start(
          this.trainData(),
          config ?? {},
          this.startHooks({ onTick, onEpoch, signal }),
          masks,
        ),
      false,
      sparsity,
    );
  }

  /**
   * Run a training call: weights version bookkeeping (a new version after any run that stepped;
   * the version before a new run is what reset returns to) and the fine-tuned floor.
   */
  private async runTraining(
    go: (signal: AbortFlag) => Promise<TrainState>,
    resuming = false,
    fineTuneSparsity?: number,
  ): Promise<TrainState> {
    this.assertNotTraining('start training');
    this.requireFit();
    const kind = resuming
      ? this.training.kind
      : fineTuneSparsity !== undefined
        ? 'finetune'
        : 'train';
    if (!resuming) {
      this.versions.runStarts();
      if (kind === 'train') await this.prune.clearFineTune();
    }
    const drives = this.training.drives;
    try {
      return await this.jobs.run('training', go);
    } finally {
      if (this.training.drives !== drives) {
        this.versions.changed();
        if (kind === 'finetune') await this.prune.afterFineTune(fineTuneSparsity);
        await this.runs.settle(
          this.training.state(),
          this.training.checkpoint,
          this.requireModel(),
        );
      }
    }
  }

  /** Hooks of a new run: its id, the record written before its first step, the checkpoints. */
  private startHooks<H extends object>(h: H) {
    return {
      ...h,
      ...this.runs.hooks(),
      id: this.runs.nextId(),
      onBegin: async (run: Parameters<RunKeeper['begin']>[0]) => {
        const { model, data } = this.requireFit();
        await this.runs.begin(run, {
          dataset: data.ref,
          files: data.files,
          model,
          modelSource: this.current?.source ?? '',
          backend: tf.getBackend(),
        });
      },
    };
  }

  // ---- stored runs ---------------------------------------------------------------------------

  /** Stored runs, newest first ([] without a run store). */
  async listRuns(): Promise<RunRecord[]> {
    return this.runs.list();
  }

  /** Delete a stored run (not the one training right now). */
  async deleteRun(id: string): Promise<void> {
    await this.runs.delete(id, this.training.runId, this.training.isRunning);
  }

  /** Storage use and quota where the platform tells them, and the last failed save. */
  async storageInfo(): Promise<{
    kind: string;
    usage: number | null;
    quota: number | null;
    lastError: string | null;
  }> {
    return this.runs.storageInfo();
  }

  /**
   * Reopen a stored run: load its dataset (the bundled one, its stored files, or check the one
   * given directly), rebuild its model from the latest checkpoint (else the final, else the start
   * weights) and make it the current run. An interrupted or paused run is then resumable with
   * `resume` (exactly, from the checkpoint; from its start when it has none).
   */
  async openRun(
    id: string,
  ): Promise<{ record: RunRecord; state: TrainState; dataset: DatasetInfo; model: ModelInfo }> {
    this.assertNotTraining('open a stored run');
    const loaded = await this.runs.load(id);
    const { record } = loaded;
    await this.ensureDataset(record.dataset);
    const { spec, weights, run } = restoredRun(loaded);
    checkSpec(spec);
    const info = this.useModel(modelFromWeights(spec, weights), `run: ${record.name}`);
    this.training.adopt(run);
    this.runs.follow(record);
    return {
      record,
      state: this.training.state(),
      dataset: (this.data as DataState).info,
      model: info,
    };
  }

  /** Make the run's dataset the loaded one (kept when it already is). */
  private async ensureDataset(ref: DatasetRef): Promise<void> {
    if (isDataset(ref, this.data)) return;
    if (ref.kind === 'bundled') await this.loadBundledDataset();
    else if (ref.kind === 'files') await this.useFiles(await this.runs.datasetFiles(ref.key));
  }

  private trainData() {
    const { model, data } = this.requireFit();
    return { model, train: data.train, val: data.val };
  }

  // ---- pruning -------------------------------------------------------------------------------

  /** Scores of the current model (cached per criterion and granularity). */
  async computeScores(
    req: ScoreRequest,
    onProgress?: (p: Progress) => void,
    token?: CallToken,
  ): Promise<ScoreSummary> {
    return this.jobs.run(
      'computing scores',
      async (signal) => {
        const e = await this.prune.scores(this.pruneCtx(signal, onProgress), req);
        return e.summary;
      },
      token,
    );
  }

  /** Rank a criterion's scores and build the slider's evaluator; returns the dense figures. */
  async prepareSlider(
    req: SliderRequest,
    onProgress?: (p: Progress) => void,
    token?: CallToken,
  ): Promise<SliderInfo> {
    return this.jobs.run(
      'preparing the slider',
      (signal) => this.prune.prepare(this.pruneCtx(signal, onProgress), req),
      token,
    );
  }

  /** The fine-tuned pruning paths shipped for the current model (session/path.ts). */
  async shippedPaths(token?: CallToken): Promise<PathInfo[]> {
    return this.jobs.run(
      'reading the shipped paths',
      (signal) => this.prune.shippedPaths(this.pruneCtx(signal)),
      token,
    );
  }

  /** Clean, transfer, then white-box accuracy at `sparsity` (newer calls supersede older ones). */
  async evaluateSparsity(
    sparsity: number,
    onPartial?: (p: SliderPoint) => void,
    token?: CallToken,
  ): Promise<EvaluateResult> {
    if (!isSparsity(sparsity))
      throw new SessionError(`sparsity must be a number in [0, 1), got ${String(sparsity)}`);
    return this.jobs.run(
      'evaluating the slider',
      (signal) => this.prune.evaluate(this.pruneCtx(signal), sparsity, onPartial),
      token,
    );
  }

  /** Clean and transfer accuracy against sparsity for several criteria. */
  async sparsityCurve(
    criteria: Criterion[],
    sparsities: number[],
    onProgress?: (p: Progress) => void,
    token?: CallToken,
  ): Promise<SparsityCurve[]> {
    return this.jobs.run(
      'computing the curves',
      (signal) =>
        sparsityCurves(this.pruneCtx(signal, onProgress), this.prune, criteria, sparsities),
      token,
    );
  }

  /** Base-to-pruned transfer benchmark (pruned without fine-tuning). */
  async transferBenchmark(
    req: TransferRequest,
    onProgress?: (p: Progress) => void,
    token?: CallToken,
  ): Promise<TransferResult> {
    return this.jobs.run(
      'the transfer benchmark',
      (signal) => transferBenchmarkOf(this.pruneCtx(signal, onProgress), this.prune, req),
      token,
    );
  }

  // ---- views ---------------------------------------------------------------------------------

  async neuronView(index: number, attack?: AttackChoice, token?: CallToken): Promise<NeuronView> {
    return this.jobs.run(
      'the neuron view',
      async (signal) => {
        const { model, data } = this.requireFit();
        this.assertNotTraining('look at neurons');
        const n = data.test.labels.length;
        if (!Number.isInteger(index) || index < 0 || index >= n)
          throw new SessionError(`test image index must be an integer in [0, ${n}), got ${index}`);
        const a = resolveAttack(attack ?? { name: 'pgd-linf' }, data.budget);
        const vs = await this.prune.viewState(this.pruneCtx(signal));
        return views.neuronView(
          vs.model ?? model,
          data.test,
          index,
          a,
          vs.masks,
          vs.scores,
          signal,
        );
      },
      token,
    );
  }

  async distributions(
    bins = 60,
    token?: CallToken,
  ): Promise<{ layers: LayerDistribution[]; scores: ScoreHistogram | null }> {
    if (!Number.isInteger(bins) || bins < 1 || bins > 1000)
      throw new SessionError(`bins must be an integer in [1, 1000], got ${bins}`);
    return this.jobs.run(
      'the distributions',
      async (signal) => {
        const model = this.requireModel();
        this.assertNotTraining('show distributions');
        const vs = await this.prune.viewState(this.pruneCtx(signal));
        return views.distributions(vs.model ?? model, vs.masks, vs.scores, bins);
      },
      token,
    );
  }

  async adversarialExamples(
    count: number,
    attack?: AttackChoice,
    token?: CallToken,
  ): Promise<AdversarialExample[]> {
    return this.jobs.run(
      'the adversarial examples',
      async (signal) => {
        const { model, data } = this.requireFit();
        this.assertNotTraining('craft adversarial examples');
        const max = Math.min(views.MAX_EXAMPLES, data.test.labels.length);
        if (!Number.isInteger(count) || count < 1 || count > max)
          throw new SessionError(`count must be an integer in [1, ${max}], got ${count}`);
        const a = resolveAttack(attack ?? { name: 'pgd-linf' }, data.budget);
        const vs = await this.prune.viewState(this.pruneCtx(signal));
        return views.adversarialExamples(vs.model ?? model, data.test, count, a, vs.masks, signal);
      },
      token,
    );
  }

  // ---- export --------------------------------------------------------------------------------

  /** Files of the model at the slider's sparsity (session/export.ts). */
  async exportFiles(kind: ExportKind, token?: CallToken): Promise<ExportedFile[]> {
    return this.jobs.run(
      'the export',
      async (signal) => {
        const model = this.requireModel();
        this.assertNotTraining('export');
        const vs = await this.prune.viewState(this.pruneCtx(signal));
        return buildExport(kind, vs.model ?? model, vs.masks, this.prune.sparsity, () =>
          this.report(),
        );
      },
      token,
    );
  }

  /** The session as plain data (report.json). */
  report(): Record<string, unknown> {
    return {
      generatedBy: 'AdvPrune Lab',
      createdAt: new Date().toISOString(),
      backend: tf.getBackend(),
      dataset: this.data?.info ?? null,
      model: this.modelInfo(),
      training: this.training.state(),
      ...this.prune.reportPart(),
    };
  }

  /** Free every tensor the session holds (the model, the evaluators). */
  async dispose(): Promise<void> {
    this.jobs.abortAll();
    await this.prune.reset();
    if (this.current) disposeModel(this.current.model);
    this.current = null;
    this.data = null;
  }

  // ---- helpers -------------------------------------------------------------------------------

  private reader(): (path: string) => Promise<Uint8Array> {
    const read = this.io.readPublic;
    if (!read) throw new SessionError('this session has no file reader for the app files');
    return read;
  }

  private requireModel(): Model {
    if (!this.current)
      throw new SessionError(
        'no model is loaded: load the default model, create one or import one',
      );
    return this.current.model;
  }

  private requireFit(): { model: Model; data: DataState } {
    const model = this.requireModel();
    if (!this.data)
      throw new SessionError('no dataset is loaded: load Fashion-MNIST or drop a dataset file');
    assertFits(model, this.data.info);
    return { model, data: this.data };
  }

  private assertNotTraining(what: string): void {
    if (this.training.isRunning)
      throw new SessionError(`training is running: pause it before you ${what}`);
  }

  private pruneCtx(signal: AbortFlag, onProgress?: (p: Progress) => void) {
    return {
      get: () => {
        this.assertNotTraining('prune or evaluate');
        const { model, data } = this.requireFit();
        return {
          model,
          train: data.train,
          test: data.test,
          budget: data.budget,
          version: this.versions.current,
          // a shipped path belongs to the weights as loaded, not to the same model trained further
          source:
            this.current && this.versions.trainedSinceLoad
              ? `${this.current.source} (trained since)`
              : this.current?.source,
        };
      },
      read: this.io.readPublic,
      signal,
      onProgress,
    };
  }

  /** Drop everything derived from the dataset and model (scores, slider, run). */
  private resetDerived(): void {
    this.training.clear();
    this.runs.forget();
    void this.prune.reset();
  }
}
