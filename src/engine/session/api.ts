/**
 * The engine's API, declared once: what the UI may call on the worker. `Session` implements
 * `SessionApi` (session.ts), the worker adds its few browser-only methods and exposes the result
 * as `EngineApi` (src/workers/engine.worker.ts), and the UI holds `Comlink.Remote<EngineApi>`
 * (src/ui/engine-client.ts): no signature is written anywhere else. Types only; no tfjs.
 *
 * Everything crossing is plain data (types.ts). Callbacks (`onTick`, `onProgress`, ...) arrive as
 * Comlink proxies. Sparsities are fractions in [0, 1).
 *
 * Cancellation is per call: a long call takes an optional `CallToken` as its last argument, and
 * `abort(token.id)` stops that call alone (it rejects with "<what> was cancelled", or
 * `evaluateSparsity` resolves `{ status: 'cancelled' }`). Nothing aborts every call at once; a
 * training run stops with `pause()` (it stays resumable). The UI's `latest()` helper
 * (src/ui/lib/latest.ts) makes the tokens, aborts superseded requests and drops their results.
 */
import type { BackendName } from '../backend';
import type { BackendDescription } from '../backend/describe';
import type { TrainConfigInput } from '../train/config';
import type { SessionEvent } from './recorder';
import type { RunRecord } from './run-store';
import type {
  AdversarialExample,
  AttackChoice,
  BackendInfo,
  Criterion,
  DatasetInfo,
  EpochMetrics,
  EvaluateResult,
  ExportedFile,
  ExportKind,
  LayerDistribution,
  ModelInfo,
  NeuronView,
  PathInfo,
  Progress,
  ScoreHistogram,
  ScoreRequest,
  ScoreSummary,
  SliderInfo,
  SliderPoint,
  SliderRequest,
  SparsityCurve,
  TrainState,
  TrainTick,
  TransferRequest,
  TransferResult,
} from './types';

/** A call's own cancellation handle: `abort(id)` stops that call and no other. */
export interface CallToken {
  /** unique among the calls in flight (the UI uses a counter) */
  readonly id: string;
}

export type OnTick = (t: TrainTick) => void;
export type OnEpoch = (e: EpochMetrics) => void;
export type OnProgress = (p: Progress) => void;

/** Storage used by saved runs. */
export interface StorageInfo {
  kind: string;
  usage: number | null;
  quota: number | null;
  lastError: string | null;
}

/** A stored run reopened: its record, training state, dataset and model. */
export interface OpenedRun {
  record: RunRecord;
  state: TrainState;
  dataset: DatasetInfo;
  model: ModelInfo;
}

/** What `Session` does for the UI (docs/worker-api.md has a paragraph per method). */
export interface SessionApi {
  // ---- life, backend, events
  /** Start a backend (`prefer`, else the policy's first that works) and describe it. */
  init(prefer?: BackendName): Promise<BackendInfo>;
  /** Receive session events: saves, storage errors, a lost device (null stops them). */
  watch(listener: ((e: SessionEvent) => void) | null): void;
  /** Seconds of training between timer checkpoints (≥ 1). */
  setCheckpointInterval(sec: number): void;
  /** The live backend's adapter, limits and features. */
  describe(): Promise<BackendDescription>;
  /** Live tensor count and bytes. */
  memory(): { numTensors: number; numBytes: number };
  /** Stop the call that carries `token.id` (no-op when it has finished). */
  abort(id: string): void;

  // ---- data and model
  loadBundledDataset(): Promise<DatasetInfo>;
  loadDatasetFiles(files: { name: string; bytes: ArrayBuffer }[]): Promise<DatasetInfo>;
  datasetInfo(): DatasetInfo | null;
  loadDefaultModel(): Promise<ModelInfo>;
  newModel(architecture: string, seed: number): ModelInfo;
  importModel(bytes: ArrayBuffer, fileName: string): Promise<ModelInfo>;
  importTfjs(json: string, weights: ArrayBuffer): Promise<ModelInfo>;
  modelInfo(): ModelInfo | null;

  // ---- training (stopped by pause(), resumable)
  train(config: TrainConfigInput, onTick?: OnTick, onEpoch?: OnEpoch): Promise<TrainState>;
  step(config: TrainConfigInput, onTick?: OnTick, onEpoch?: OnEpoch): Promise<TrainState>;
  resume(onTick?: OnTick, onEpoch?: OnEpoch): Promise<TrainState>;
  pause(): void;
  resetTraining(): Promise<TrainState>;
  trainState(): TrainState;
  fineTunePruned(config: TrainConfigInput, onTick?: OnTick, onEpoch?: OnEpoch): Promise<TrainState>;

  // ---- stored runs
  listRuns(): Promise<RunRecord[]>;
  deleteRun(id: string): Promise<void>;
  storageInfo(): Promise<StorageInfo>;
  openRun(id: string): Promise<OpenedRun>;

  // ---- pruning and the slider (cancellable)
  computeScores(
    req: ScoreRequest,
    onProgress?: OnProgress,
    token?: CallToken,
  ): Promise<ScoreSummary>;
  shippedPaths(token?: CallToken): Promise<PathInfo[]>;
  prepareSlider(
    req: SliderRequest,
    onProgress?: OnProgress,
    token?: CallToken,
  ): Promise<SliderInfo>;
  evaluateSparsity(
    sparsity: number,
    onPartial?: (p: SliderPoint) => void,
    token?: CallToken,
  ): Promise<EvaluateResult>;
  sparsityCurve(
    criteria: Criterion[],
    sparsities: number[],
    onProgress?: OnProgress,
    token?: CallToken,
  ): Promise<SparsityCurve[]>;
  transferBenchmark(
    req: TransferRequest,
    onProgress?: OnProgress,
    token?: CallToken,
  ): Promise<TransferResult>;

  // ---- views and export (cancellable)
  neuronView(index: number, attack?: AttackChoice, token?: CallToken): Promise<NeuronView>;
  distributions(
    bins?: number,
    token?: CallToken,
  ): Promise<{ layers: LayerDistribution[]; scores: ScoreHistogram | null }>;
  adversarialExamples(
    count: number,
    attack?: AttackChoice,
    token?: CallToken,
  ): Promise<AdversarialExample[]>;
  exportFiles(kind: ExportKind, token?: CallToken): Promise<ExportedFile[]>;
  /** The session's state as a report (JSON). */
  report(): Record<string, unknown>;
}

/** The worker's own additions (browser-only: Web Locks, fault injection). */
export interface WorkerApi {
  /**
   * Hold the Web Lock `name` for the worker's lifetime; resolves once held. The UI then waits on
   * the same lock: it is granted to the UI exactly when this worker dies (crash, close, kill).
   */
  holdLifeLock(name: string): Promise<void>;
  /** Fault injection for tests and for trying recovery: the worker stops as if it crashed. */
  crashForTesting(): void;
  /** Fault injection: destroy the WebGPU device (a real device loss); false if not on WebGPU. */
  loseDeviceForTesting(): boolean;
}

/** Everything the UI can call on the engine worker. */
export type EngineApi = SessionApi & WorkerApi;
