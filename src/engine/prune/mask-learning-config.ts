/**
 * Options and results of mask learning (mask-learning.ts): the plain fields shared by HYDRA
 * (scores/learned.ts) and end-to-end pruning (end-to-end.ts), validated with zod so a bad field
 * fails with TrainError('bad-config') naming it; learning rates of the score and weight groups;
 * the per-step progress and per-epoch metrics the loop streams (plain data).
 */
import { z } from 'zod';
import type { AbortFlag } from '../attacks/options';
import type { ValidationConfig, validationSchema } from '../train/config';
import { objectiveEps, objectiveSchema, type ObjectiveConfig } from '../train/objectives';
import { optimizerSchema, type OptimizerConfigInput } from '../train/optimizers';
import { parseOrThrow } from '../train/parse';
import type { Granularity, MaskRule } from './types';

/** Learning rate of one parameter group (scores or weights). */
export const rateSchema = z.strictObject({
  /** optimizer (train/optimizers.ts); default per caller */
  optimizer: optimizerSchema.optional(),
  /** learning rate > 0; default per caller */
  lr: z.number().gt(0).optional(),
  /** 'constant', or 'cosine': lr·½(1 + cos(π t/T)) over the run's T steps */
  schedule: z.enum(['constant', 'cosine']).optional(),
});
export type RateInput = z.input<typeof rateSchema>;
export interface Rate {
  optimizer: OptimizerConfigInput;
  lr: number;
  schedule: 'constant' | 'cosine';
}

/** Fields shared by learnedScores and endToEndPrune (validated, defaults filled). */
export const maskRunFields = {
  /** fraction removed in [0, 1) */
  sparsity: z.number().min(0).lt(1),
  /** one ranking across layers ('global', default) or each layer to `sparsity` ('layer') */
  scope: z.enum(['global', 'layer']).default('global'),
  /** per-layer cap in [0, 1] (default masks.ts DEFAULT_MAX_LAYER_SPARSITY) */
  maxLayerSparsity: z.number().min(0).max(1).optional(),
  /** kernel names never pruned */
  exclude: z.array(z.string()).optional(),
  /** the adversarial training objective (train/objectives: 'pgd-at', 'trades', ...) */
  objective: objectiveSchema,
  /** passes over the training set, ≥ 1 */
  epochs: z.number().int().min(1),
  /** samples per step, ≥ 1 (default 128) */
  batchSize: z.number().int().min(1).default(128),
  /** seed of batch orders and attack starts (default 0) */
  seed: z.number().int().min(0).max(4294967295).default(0),
  /** recompute the hard top-k mask every this many steps (default 1, as HYDRA) */
  remaskEvery: z.number().int().min(1).default(1),
};

export interface MaskProgress {
  /** steps done, including this one */
  step: number;
  epoch: number;
  batch: number;
  batchesPerEpoch: number;
  epochs: number;
  /** this batch's loss, nats */
  loss: number;
  /** accuracy on this batch's adversarial inputs, [0, 1]; null for a standard objective */
  advAcc: number | null;
}

export interface MaskEpochMetrics {
  epoch: number;
  steps: number;
  /** sample-weighted mean training loss of the masked model, nats */
  trainLoss: number;
  /** adversarial accuracy over the epoch's batches, [0, 1], or null */
  trainAdvAcc: number | null;
  /** fraction of eligible mask entries that changed during the epoch, [0, 1] */
  maskFlips: number;
  /** clean / PGD accuracy of the masked model on the validation subset, or null */
  valCleanAcc: number | null;
  valAdvAcc: number | null;
  wallSec: number;
}

export interface MaskHooks {
  signal?: AbortFlag;
  onProgress?(p: MaskProgress): void;
  onEpochEnd?(e: MaskEpochMetrics): void;
}

/** A resolved mask-learning run. */
export interface LearnConfig {
  granularity: Granularity;
  rule: MaskRule;
  objective: ObjectiveConfig;
  epochs: number;
  batchSize: number;
  seed: number;
  remaskEvery: number;
  scores: Rate;
  /** null: weights frozen (HYDRA) */
  weights: Rate | null;
  /** BN running-statistics momentum (used only when weights train) */
  bnMomentum: number;
  /** per-epoch validation (needs data.val), or null */
  validation: ValidationConfig | null;
  /** weight λ ≥ 0 of the ANP-VS vulnerability-suppression term (vulnerability.ts); 0 or absent: off */
  vsLambda?: number;
}

export type LearnStatus = 'completed' | 'stopped' | 'diverged';

export interface LearnResult {
  status: LearnStatus;
  message: string;
  steps: number;
  history: MaskEpochMetrics[];
}

/** Resolves a rate with the caller's defaults. */
export function resolveRate(input: RateInput | undefined, defaults: Rate, what: string): Rate {
  const r = parseOrThrow(rateSchema, input ?? {}, what);
  return {
    optimizer: r.optimizer ?? defaults.optimizer,
    lr: r.lr ?? defaults.lr,
    schedule: r.schedule ?? defaults.schedule,
  };
}

/** A validation config resolved like the training loop's (ε defaults to the objective's). */
export function resolveValidation(
  v: z.output<typeof validationSchema>,
  objective: ObjectiveConfig,
): ValidationConfig {
  const eps = v.eps ?? objectiveEps(objective) ?? 0.1;
  return { ...v, eps, stepSize: v.stepSize ?? (2.5 * eps) / v.steps };
}
