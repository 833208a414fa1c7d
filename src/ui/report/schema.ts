/**
 * Zod schema of a single run's report (`advprune-report`, version 1; written by the CLI, see
 * src/engine/experiment/report.ts), checking every field the Reports view renders: numbers
 * finite, accuracies and sparsities in [0, 1], counts non-negative, arrays bounded. Objects are
 * loose (fields the viewer does not render pass through unchecked), so a newer engine that adds
 * fields still opens. The output types are what the viewer's components take.
 */
import { z } from 'zod';

/** Longest array accepted anywhere in a report (epochs, attacks, variants, cells, layers). */
export const MAX_ITEMS = 100_000;
/** Longest string accepted in a rendered field (names, messages, dates). */
export const MAX_TEXT = 10_000;

const text = z.string().max(MAX_TEXT);
const num = z.number(); // zod 4 refuses NaN and ±Infinity (JSON's 1e999 parses to Infinity)
const count = z.number().int().min(0);
const frac = z.number().min(0).max(1);
const seconds = z.number().min(0);
const list = <T extends z.ZodType>(item: T) => z.array(item).max(MAX_ITEMS);

/** Per-epoch metrics (src/engine/train/types.ts EpochMetrics). */
export const epochSchema = z.looseObject({
  epoch: count,
  steps: count,
  trainLoss: num,
  trainCleanAcc: frac,
  trainAdvAcc: frac.nullable(),
  valCleanAcc: frac.nullable(),
  valAdvAcc: frac.nullable(),
  lr: z.number().min(0),
  wallSec: seconds,
});

const lrChangeSchema = z.looseObject({
  from: z.number().min(0),
  to: z.number().min(0),
  reason: text,
  epoch: count,
  step: count,
});

/** Clean and robust accuracy of one model (EvaluationReport). */
export const evaluationSchema = z.looseObject({
  n: count,
  cleanAccuracy: frac,
  attacks: list(
    z.looseObject({
      name: text,
      options: z.record(z.string(), z.unknown()),
      robustAccuracy: frac,
      cumulativeAccuracy: frac,
      evaluated: count,
      seconds,
    }),
  ),
  worstCaseAccuracy: frac,
  wallSeconds: seconds,
});

const sparsityGlobalSchema = z.looseObject({
  weights: count,
  weightsRemoved: count,
  sparsity: frac,
  neurons: count,
  neuronsRemoved: count,
  paramsBefore: count,
  paramsAfter: count,
  macsBefore: count,
  macsAfter: count,
});

/** One pruned variant (src/engine/experiment/prune-stage.ts PruneVariantReport). */
export const pruneVariantSchema = z.looseObject({
  method: text,
  criterion: text,
  sparsity: frac,
  schedule: text,
  scoring: z.looseObject({ seconds }),
  sparsityReport: z.looseObject({ global: sparsityGlobalSchema }),
  fineTune: z.looseObject({
    status: text,
    message: text,
    epochs: list(epochSchema),
    seconds,
  }),
  evaluation: evaluationSchema,
});

/** The transfer benchmark (src/engine/eval/transfer.ts TransferReport) and its markdown table. */
export const transferSchema = z.looseObject({
  n: count,
  attacks: list(
    z.looseObject({ label: text, name: text, options: z.record(z.string(), z.unknown()) }),
  ),
  base: z.looseObject({
    clean: frac,
    params: count,
    macs: count,
    inferenceMs: seconds,
    perAttack: list(z.looseObject({ attack: text, whiteBox: frac })),
  }),
  cells: list(
    z.looseObject({
      method: text,
      sparsity: frac,
      attack: text,
      clean: frac,
      transferAccuracy: frac,
      transferRobust: frac,
      whiteBoxRobust: frac,
      params: count,
      macs: count,
      inferenceMs: seconds,
    }),
  ),
  timing: z.looseObject({ batch: count, repeats: count, warmup: count }),
  seconds,
  compacted: z.boolean().optional(),
});

/** A single run's report, format 'advprune-report', version 1. */
export const experimentReportSchema = z.looseObject({
  format: z.literal('advprune-report'),
  version: z.literal(1),
  name: text,
  startedAt: text,
  finishedAt: text,
  config: z.looseObject({ seed: num.optional() }),
  environment: z.looseObject({
    platform: text,
    runtime: text,
    cpus: count.optional(),
    tfjsVersion: text,
    backend: z.looseObject({ name: text, reason: text.optional() }),
    backendDetails: z
      .looseObject({
        floatPrecision: count.optional(),
        wasm: z.looseObject({ simd: z.boolean(), threads: count }).optional(),
      })
      .optional(),
  }),
  data: z.looseObject({
    train: count,
    val: count,
    test: count,
    shape: z.tuple([count, count, count]),
    numClasses: count,
  }),
  model: z.looseObject({ architecture: text, params: count, macs: count }),
  training: z
    .looseObject({
      status: text,
      message: text,
      steps: count,
      epochs: list(epochSchema),
      lrChanges: list(lrChangeSchema),
      wallSeconds: seconds,
    })
    .nullable(),
  modelSource: text.optional(),
  evaluation: evaluationSchema,
  pruning: list(pruneVariantSchema).optional(),
  transfer: transferSchema.optional(),
  wallSeconds: seconds,
});

export type EpochRow = z.infer<typeof epochSchema>;
export type EvaluationView = z.infer<typeof evaluationSchema>;
export type PruneVariantView = z.infer<typeof pruneVariantSchema>;
export type TransferView = z.infer<typeof transferSchema>;
export type ReportView = z.infer<typeof experimentReportSchema>;
