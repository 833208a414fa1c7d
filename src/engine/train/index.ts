/**
 * The training module's public API: `trainModel` and its config, hooks and results; checkpoints;
 * objectives (standard, PGD-AT, TRADES, FGSM-RS with its overfitting guard); optimizers (SGD,
 * Adam/AdamW); learning-rate schedules (constant, multistep, cosine, cyclic, AccelAT); training
 * protocols (per-batch, or AccelAT's offline adversarial sets).
 * See docs/training.md for the formulas, citations and defaults.
 */
export { trainModel } from './loop';
export {
  parseTrainConfig,
  trainConfigSchema,
  type TrainConfig,
  type TrainConfigInput,
  type ValidationConfig,
} from './config';
export type {
  EpochMetrics,
  LrChangeRecord,
  TrainHooks,
  TrainInputs,
  TrainProgress,
  TrainResult,
  TrainStatus,
} from './types';
export {
  makeCheckpoint,
  restoreCheckpoint,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type Checkpoint,
  type CheckpointParts,
  type EpochAccumulator,
  type RestoredState,
} from './checkpoint';
export { TrainError, isTrainError, type TrainProblem } from './errors';
export {
  createObjective,
  objectiveSchema,
  type Objective,
  type ObjectiveConfig,
  type ObjectiveConfigInput,
  type ObjectiveKind,
} from './objectives';
export {
  guardUpdate,
  guardCheck,
  createGuardState,
  type GuardCheck,
  type GuardConfig,
  type GuardState,
} from './objectives/overfit-guard';
export {
  applyGradients,
  createOptimizer,
  disposeOptimizer,
  exportOptimizerState,
  restoreOptimizer,
  optimizerSchema,
  type Optimizer,
  type OptimizerConfig,
  type OptimizerConfigInput,
  type OptimizerState,
} from './optimizers';
export { expandMasks, type ParamMasks } from './masking';
export {
  makeOfflineSets,
  protocolSchema,
  type OfflineProtocolConfig,
  type OfflineSets,
  type OfflineSetsInfo,
  type ProtocolConfig,
  type ProtocolConfigInput,
} from './protocol';
export {
  createSchedule,
  lrAt,
  eventAt,
  onEpochEnd,
  scheduleSchema,
  type ScheduleConfig,
  type ScheduleConfigInput,
  type ScheduleKind,
  type ScheduleState,
  type LrChange,
  type LrContext,
  type EpochEndInput,
} from './schedules';
