/**
 * Plain data that crosses the worker boundary (numbers, strings, typed arrays; never tensors).
 * The worker's API type itself is derived from its implementation (`EngineApi = typeof api` in
 * engine.worker.ts); this file holds the shapes its methods take and return, so the UI can import
 * them without importing the worker. The shapes are defined beside the engine code that builds
 * them (src/engine/session/types.ts) and re-exported here under the same names. Accuracies are
 * fractions in [0, 1]; sparsity is the fraction removed in [0, 1); images are row-major HWC
 * Float32Arrays with pixels in [0, 1]. Reference: docs/worker-api.md.
 */
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
export type { SessionEvent } from '../engine/session/recorder';

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
