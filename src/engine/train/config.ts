/**
 * TrainConfig: one plain-JSON object that fixes a training run (with the model, the data and the
 * masks). `parseTrainConfig` validates a user's partial config and fills every default, including
 * derived ones (step sizes from ε), so the resolved config stored in a checkpoint says exactly
 * what ran. Defaults target Fashion-MNIST-sized problems (ε 0.1). Objects are strict: an unknown
 * field (a typo such as `batchsize`) is refused, never silently ignored.
 */
import { z } from 'zod';
import { objectiveEps, objectiveSchema, type ObjectiveConfig } from './objectives';
import { optimizerSchema, type OptimizerConfig } from './optimizers';
import { parseOrThrow } from './parse';
import { protocolSchema, type ProtocolConfig } from './protocol';
import { scheduleSchema, type ScheduleConfig } from './schedules';

export const validationSchema = z.strictObject({
  /** the first N validation samples are evaluated (0 = no validation metrics) (default 1000) */
  subsetSize: z.number().int().min(0).default(1000),
  /** evaluation batch size, ≥ 1 (default 256) */
  batchSize: z.number().int().min(1).default(256),
  /** evaluate every this many epochs; the last epoch always (default 1; AccelAT forces 1) */
  evalEvery: z.number().int().min(1).default(1),
  /** PGD-L∞ radius ε of the adversarial accuracy, pixel units (default: the objective's ε, else the offline protocol attack's, else 0.1) */
  eps: z.number().min(0).max(1).optional(),
  /** PGD iterations, ≥ 1 (default 10) */
  steps: z.number().int().min(1).default(10),
  /** PGD step size, pixel units (default 2.5·ε/steps) */
  stepSize: z.number().min(0).optional(),
  /** PGD random restarts, ≥ 1 (default 1) */
  restarts: z.number().int().min(1).default(1),
});
export type ValidationConfig = Required<z.output<typeof validationSchema>>;

export const trainConfigSchema = z
  .strictObject({
    /** passes over the training set, ≥ 1 (default 10) */
    epochs: z.number().int().min(1).default(10),
    /** samples per optimizer step, ≥ 1 (default 128) */
    batchSize: z.number().int().min(1).default(128),
    /** drop the last, smaller batch of each epoch (default false) */
    dropLast: z.boolean().default(false),
    /** seed of batch orders and attack randomness: same seed, same run (default 0) */
    seed: z.number().int().min(0).max(4294967295).default(0),
    /** training objective (default { kind: 'standard' }); see objectives/ */
    objective: objectiveSchema.prefault({ kind: 'standard' }),
    /** optimizer (default { kind: 'sgd' }: μ 0.9, wd 5e-4); see optimizers.ts */
    optimizer: optimizerSchema.prefault({ kind: 'sgd' }),
    /** learning-rate schedule (default { kind: 'constant' }: lr 0.01); see schedules/ */
    schedule: scheduleSchema.prefault({ kind: 'constant' }),
    /** per-epoch validation: clean and PGD accuracy on a subset */
    validation: validationSchema.prefault({}),
    /** batch-norm running-statistics momentum in [0, 1] (PyTorch convention, default 0.1) */
    bnMomentum: z.number().min(0).max(1).default(0.1),
    /** emit a progress event every this many steps (default 1) */
    progressEvery: z.number().int().min(1).default(1),
    /**
     * where x′ comes from (protocol.ts): absent or { kind: 'per-batch' } = the objective crafts it
     * for every batch; { kind: 'offline-adversarial', attack, mix } = AccelAT's protocol, the
     * sets made once before the first epoch (needs objective 'standard'). No default is written
     * in, so configs without it resolve exactly as before.
     */
    protocol: protocolSchema.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.protocol?.kind === 'offline-adversarial' && c.objective.kind !== 'standard')
      ctx.addIssue({
        code: 'custom',
        path: ['objective', 'kind'],
        message: `the offline-adversarial protocol trains on its fixed sets with the clean cross-entropy: objective.kind must be 'standard', not '${c.objective.kind}'`,
      });
  })
  .transform((c): TrainConfig => {
    const attackEps =
      c.protocol?.kind === 'offline-adversarial' ? c.protocol.attack.options.eps : undefined;
    const eps =
      c.validation.eps ??
      objectiveEps(c.objective) ??
      (typeof attackEps === 'number' ? attackEps : 0.1);
    const validation: ValidationConfig = {
      ...c.validation,
      eps,
      stepSize: c.validation.stepSize ?? (2.5 * eps) / c.validation.steps,
    };
    const { protocol, ...rest } = c;
    return protocol === undefined
      ? { ...rest, validation }
      : { ...rest, validation, protocol: protocol as ProtocolConfig };
  })
  .superRefine((c, ctx) => {
    for (const { path, eps } of zeroSteps(c))
      ctx.addIssue({
        code: 'custom',
        path,
        message: `is 0 while ε = ${eps} > 0, so the attack cannot move (a step derived from so small an ε underflows to 0): give a larger ε, a step > 0, or ε = 0 for no perturbation`,
      });
  });

/**
 * The step sizes of a resolved config that are 0 while their ε is not: given as 0, or derived
 * from an ε so small that ε/4 or 2.5·ε/steps underflows (ε = 5e-324). ε = 0 keeps its step of 0
 * (no perturbation; a resolved config with ε = 0 must read back).
 */
function zeroSteps(c: TrainConfig): { path: string[]; eps: number }[] {
  const out: { path: string[]; eps: number }[] = [];
  const o = c.objective;
  if (o.kind !== 'standard' && o.eps > 0) {
    if (o.kind === 'fgsm-rs') {
      if (o.alpha === 0) out.push({ path: ['objective', 'alpha'], eps: o.eps });
      if (o.guard.pgdStepSize === 0)
        out.push({ path: ['objective', 'guard', 'pgdStepSize'], eps: o.eps });
    } else if (o.stepSize === 0) out.push({ path: ['objective', 'stepSize'], eps: o.eps });
  }
  if (c.validation.eps > 0 && c.validation.stepSize === 0)
    out.push({ path: ['validation', 'stepSize'], eps: c.validation.eps });
  return out;
}

/** A resolved training config: every field present. */
export interface TrainConfig {
  epochs: number;
  batchSize: number;
  dropLast: boolean;
  seed: number;
  objective: ObjectiveConfig;
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  validation: ValidationConfig;
  bnMomentum: number;
  progressEvery: number;
  /** absent: per-batch (the objective crafts x′ each batch); see protocol.ts */
  protocol?: ProtocolConfig;
}

/** What a user writes: any subset of the fields (nested objects need their `kind`). */
export type TrainConfigInput = z.input<typeof trainConfigSchema>;

/**
 * Validates and resolves a config.
 * @throws TrainError `bad-config` naming each bad field (e.g. `config.objective.eps: ...`)
 */
export function parseTrainConfig(input: unknown): TrainConfig {
  return parseOrThrow(trainConfigSchema, input ?? {}, 'config');
}
