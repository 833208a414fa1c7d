/**
 * The one contract between the engine and the UI. The UI (src/ui/**) imports the engine only
 * from here, types included (an ESLint `no-restricted-imports` rule holds it), so everything the
 * UI needs is declared once, beside the engine code that builds it, and re-exported here:
 * - `EngineApi`: the worker's methods (session/api.ts); `Session` implements it and the worker
 *   exposes it as is (engine.worker.ts), so no signature is written twice;
 * - the catalogs (attacks, architectures, objectives, schedules, criteria): names, labels,
 *   papers and option fields as plain data, read by the UI's forms, the CLI and the docs;
 * - the plain shapes the methods take and return (numbers, strings, typed arrays; never
 *   tensors), and a few pure helpers on them (transfer tables, JSON guards).
 * Nothing here imports tfjs, even transitively (tests/ui/protocol-graph.test.ts): the UI bundle
 * stays free of it. Accuracies are fractions in [0, 1]; sparsity is the fraction removed in
 * [0, 1) everywhere but the slider's label; images are row-major HWC Float32Arrays with pixels in
 * [0, 1]. Reference: docs/worker-api.md.
 */
import '../engine/zod-config';

export type {
  CallToken,
  EngineApi,
  OnEpoch,
  OnProgress,
  OnTick,
  OpenedRun,
  SessionApi,
  StorageInfo,
  WorkerApi,
} from '../engine/session/api';
export type {
  AdversarialExample,
  AttackChoice,
  BackendInfo,
  BackendName,
  Criterion,
  DatasetInfo,
  EpochMetrics,
  EvaluateResult,
  ExportedFile,
  ExportKind,
  Granularity,
  Histogram,
  LayerActivations,
  LayerDistribution,
  LrChangeRecord,
  ModelInfo,
  NeuronView,
  Progress,
  ScoreHistogram,
  ScoreRequest,
  ScoreSummary,
  SliderInfo,
  PathInfo,
  PathPosition,
  SliderPoint,
  SliderRequest,
  SparsityCurve,
  SparsityReport,
  TrainState,
  TrainTick,
  TransferRequest,
  TransferResult,
  WhiteBoxEstimate,
} from '../engine/session/types';
export type { TrainConfigInput } from '../engine/train/config';
export type { RunRecord, SaveReason } from '../engine/session/run-store';
export {
  sliderPosition,
  type SliderLimits,
  type SliderPosition,
} from '../engine/session/slider-limits';
export { CHECKPOINT_EVERY_SEC, type SessionEvent } from '../engine/session/recorder';
export type { TransferReport, TransferCell } from '../engine/eval/transfer';
export {
  formatTransferTable,
  transferMatrix,
  type TransferFigure,
  type TransferMatrix,
} from '../engine/eval/transfer-table';
export { describeValue, jsonDepth, MAX_JSON_DEPTH } from '../engine/model/serialize/json-guard';
export { isAccuracyMetric } from '../engine/experiment/sweep-summary';
export type { ArchitectureName } from '../engine/model/spec';
export {
  ANOMALY_CRITERIA,
  CRITERIA,
  CRITERION_NAMES,
  SPARSITY_TARGETED,
  criterionLabel,
  defaultDeadRule,
} from '../engine/prune/criteria';

// ---- Catalogs (issue 14, item 1): names, labels, papers and option fields as plain data, the
// ---- one source the UI's forms, the CLI's validation and the docs tables read. tfjs-free.
export {
  attackCatalog,
  attackInfo,
  attackLabel,
  attackNames,
  isAttackName,
  type AttackInfo,
  type AttackOptions,
  type AttackUiRule,
  type PaperRef,
} from '../engine/attacks/catalog';
export {
  ARCHITECTURE_CATALOG,
  ARCHITECTURE_NAMES,
  architectureLabel,
  isArchitectureName,
  type ArchitectureInfo,
} from '../engine/model/catalog';
export {
  CRAFT_MODES,
  OBJECTIVE_CATALOG,
  OBJECTIVE_KINDS,
  derivedDefault,
  objectiveInfo,
  objectiveLabel,
  type ObjectiveKind,
} from '../engine/train/objectives/catalog';
export {
  CYCLIC_MODES,
  SCHEDULE_CATALOG,
  SCHEDULE_KINDS,
  defaultScheduleLr,
  scheduleInfo,
  scheduleLabel,
  type ScheduleKind,
} from '../engine/train/schedules/catalog';
export {
  numberDefault,
  trainField,
  type DerivedDefault,
  type TrainField,
  type TrainKindInfo,
} from '../engine/train/fields';
// ---- end of catalogs
