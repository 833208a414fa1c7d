/**
 * The experiment config: one typed, validated, JSON description of a whole pipeline (dataset,
 * model, training, evaluation), shared by the CLI and the worker. Validation happens before any
 * work: an unknown field, a wrong type or an impossible value is refused with a message that
 * names the field path (e.g. `train.batchSize: Too small: expected number to be >0`).
 *
 * Every default is written next to its field; `parseExperimentConfig` fills them in, so a report
 * always holds the complete, effective config.
 */
import { z } from 'zod';
import { attackOptionsProblem, attackRefSchema } from '../attacks/schema';
import { ARCHITECTURE_NAMES, type ArchitectureName } from '../model/catalog';
import { jsonDepth } from '../model/serialize/json-guard';
import { trainConfigSchema } from '../train/config';
import { pruneConfigSchema, transferConfigSchema } from './prune-config';

const positiveInt = z.number().int().positive();

const limits = {
  /** use only the first N training images (after the seeded split); default: all */
  trainLimit: positiveInt.optional(),
  /** use only the first N test images; default: all */
  testLimit: positiveInt.optional(),
  /** fraction of the training set held out for validation (AccelAT, early stopping); default 0.1 */
  valFraction: z.number().min(0).max(0.5).default(0.1),
};

const dataSchema = z.discriminatedUnion('kind', [
  /** The bundled Fashion-MNIST (public/datasets/fashion-mnist). */
  z.strictObject({ kind: z.literal('fashion-mnist'), ...limits }),
  /** IDX files (MNIST, KMNIST, ...): paths relative to the config file; .gz or raw. */
  z.strictObject({
    kind: z.literal('idx'),
    name: z.string().min(1),
    trainImages: z.string().min(1),
    trainLabels: z.string().min(1),
    testImages: z.string().min(1),
    testLabels: z.string().min(1),
    numClasses: z.number().int().min(2).max(1000),
    ...limits,
  }),
  /** CIFAR-10/100 binary batches: paths relative to the config file. */
  z.strictObject({
    kind: z.enum(['cifar10', 'cifar100']),
    trainFiles: z.array(z.string().min(1)).min(1),
    testFiles: z.array(z.string().min(1)).min(1),
    /** CIFAR-100 only: which label to learn; default 'fine' */
    label: z.enum(['fine', 'coarse']).default('fine'),
    ...limits,
  }),
  /** A small synthetic, learnable dataset (smoke tests). */
  z.strictObject({
    kind: z.literal('synthetic'),
    trainSize: positiveInt.default(512),
    testSize: positiveInt.default(256),
    /** [H, W, C]; default [8, 8, 1] */
    shape: z.tuple([positiveInt, positiveInt, positiveInt]).default([8, 8, 1]),
    numClasses: z.number().int().min(2).max(100).default(4),
    /** Gaussian noise σ added to the class prototypes; default 0.15 */
    noise: z.number().min(0).max(1).default(0.15),
    valFraction: limits.valFraction,
  }),
]);

const attackSpecSchema = attackRefSchema.superRefine((a, ctx) => {
  const problem = attackOptionsProblem(a, 'cifar10');
  if (problem !== null) ctx.addIssue({ code: 'custom', path: ['options'], message: problem });
});

const evalSchema = z.strictObject({
  /** number of test images evaluated (the first N of the test split); default 1000 */
  n: positiveInt.default(1000),
  /** clean accuracy also on the first cleanN test images (e.g. all 10,000), reported beside the
   *  n-image figures as `cleanFull`; attacks still run on n (optional) */
  cleanN: positiveInt.optional(),
  /** evaluation batch size; default 250 */
  batchSize: positiveInt.default(250),
  /** attacks, run AutoAttack-style for the worst case; default PGD-20 at the dataset's budget */
  attacks: z.array(attackSpecSchema).default([{ name: 'pgd-linf', options: {} }]),
  /** also report each attack alone on every clean-correct point; default true */
  standalone: z.boolean().default(true),
});

/** Largest grid a sweep may expand to (cells); a bigger one is refused before any work. */
export const MAX_SWEEP_CELLS = 10_000;

const sweepAxisSchema = z.strictObject({
  /** short name used in cell names, tables and plots; the axis named 'seed' holds replicates */
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'letters, digits, _ . - (at most 40)'),
  /** dotted path(s) into the config the value is written to, e.g. 'train.schedule' or
   *  ['seed', 'train.seed']; array elements by index ('eval.attacks.0.options.eps') */
  path: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(8)]),
  /** the values the field(s) take, at least one */
  values: z.array(z.unknown()).min(1),
  /** one label per value (default: the value when scalar, else its `kind` or `name`, else its index) */
  labels: z.array(z.union([z.string().min(1).max(60), z.number()])).optional(),
});

/** A grid over config fields, expanded by sweep.ts (docs/sweeps.md). */
export const sweepConfigSchema = z.strictObject({
  /** the axes; the grid is their cartesian product, first axis slowest */
  axes: z.array(sweepAxisSchema).min(1).max(8),
  /** validation adversarial accuracy in [0, 1] for 'epochs-to-target' / 'seconds-to-target' */
  target: z.number().min(0).max(1).optional(),
  /**
   * 'epochs-to-settle' / 'seconds-to-settle' (docs/sweeps.md): within the cells that differ only
   * in `axis` (per seed), the first epoch from which the validation adversarial accuracy stays
   * within `margin` of the best any of them reached; with `baseline` (a label of that axis) also
   * the speed-up against it
   */
  settle: z
    .strictObject({
      axis: z.string().min(1).max(40),
      margin: z.number().min(0).max(1),
      baseline: z.union([z.string().min(1).max(60), z.number()]).optional(),
    })
    .optional(),
});
export type SweepConfig = z.output<typeof sweepConfigSchema>;

const experimentObject = z.strictObject({
  /** a name for the run, used in reports */
  name: z.string().min(1).max(200),
  /** master seed: data split, initialization, batch order, attack starts; default 0 */
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(0),
  /** tfjs backend to prefer; default: the platform's best (Node: wasm) */
  backend: z.enum(['webgpu', 'webgl', 'wasm', 'cpu']).optional(),
  data: dataSchema,
  model: z
    .strictObject({
      /** build and initialize this architecture (seeded) */
      architecture: z
        .enum(ARCHITECTURE_NAMES as [ArchitectureName, ...ArchitectureName[]])
        .optional(),
      /** or load a model saved by the CLI or the app (.safetensors), relative to the config */
      load: z.string().min(1).optional(),
    })
    .refine((m) => (m.architecture === undefined) !== (m.load === undefined), {
      message: 'give exactly one of "architecture" and "load"',
    }),
  /** (pre)training; optional when the model is loaded (then it is used as trained) */
  train: trainConfigSchema.optional(),
  eval: evalSchema.prefault({}),
  /** pruning stages: score, prune, fine-tune, evaluate (docs/cli.md) */
  prune: pruneConfigSchema.optional(),
  /** the base-to-pruned transfer benchmark; needs `prune` */
  transfer: transferConfigSchema.optional(),
  /** a grid of runs over this config (docs/sweeps.md); a single run ignores it */
  sweep: sweepConfigSchema.optional(),
});

/** Deepest JSON nesting accepted in a config (ours nest 5 levels; deeper values overflow the stack). */
export const MAX_CONFIG_DEPTH = 32;

/** Attack options are checked at parse time wherever an attack is named, not only in `eval`. */
function checkAttackOptions(
  ref: { name: string; options: Record<string, unknown> },
  path: (string | number)[],
  ctx: z.RefinementCtx,
): void {
  const problem = attackOptionsProblem(ref, 'cifar10');
  if (problem !== null)
    ctx.addIssue({ code: 'custom', path: [...path, 'options'], message: problem });
}

export const experimentConfigSchema = experimentObject.superRefine((c, ctx) => {
  if (c.prune !== undefined)
    checkAttackOptions(c.prune.scoringAttack, ['prune', 'scoringAttack'], ctx);
  c.transfer?.attacks.forEach((a, i) => checkAttackOptions(a, ['transfer', 'attacks', i], ctx));
  if (c.model.architecture !== undefined && c.train === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['train'],
      message: 'a model built from an architecture needs "train" (or load a trained model)',
    });
  if (c.transfer !== undefined && c.prune === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['transfer'],
      message: 'the transfer benchmark needs "prune"',
    });
});

export type ExperimentConfig = z.output<typeof experimentConfigSchema>;
export type ExperimentConfigInput = z.input<typeof experimentConfigSchema>;
export type DataConfig = ExperimentConfig['data'];

/** A config that failed validation; `issues` name each field path and the problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly issues: string[],
  ) {
    super(`${source}: invalid experiment config:\n  ${issues.join('\n  ')}`);
  }
}

/**
 * Validate a parsed JSON value as an experiment config and fill in defaults.
 * @param source where the config came from (a file name), for messages
 * @throws ConfigError listing every problem with its field path
 */
export function parseExperimentConfig(value: unknown, source = 'config'): ExperimentConfig {
  if (jsonDepth(value, MAX_CONFIG_DEPTH) > MAX_CONFIG_DEPTH)
    throw new ConfigError(source, [`(root): nested deeper than ${MAX_CONFIG_DEPTH} levels`]);
  const r = experimentConfigSchema.safeParse(value);
  if (r.success) return r.data;
  throw new ConfigError(
    source,
    r.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`),
  );
}

/** Parse JSON text, then validate (a JSON syntax error is a ConfigError too). */
export function parseExperimentConfigText(text: string, source = 'config'): ExperimentConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(source, [
      `not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
    ]);
  }
  return parseExperimentConfig(value, source);
}

/** The dataset name attack defaults are looked up with ('fashion-mnist', 'mnist', 'cifar10', ...). */
export function budgetDatasetName(data: DataConfig): string {
  if (data.kind === 'idx') return data.name.toLowerCase();
  if (data.kind === 'synthetic') return 'fashion-mnist';
  return data.kind;
}
