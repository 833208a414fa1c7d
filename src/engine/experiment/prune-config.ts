/**
 * The pruning stages of an experiment config: score → prune (one-shot, iterative or end-to-end)
 * → adversarial fine-tune → evaluate, for a grid of criteria × sparsities, and optionally the
 * base-to-pruned transfer benchmark (Vora et al. 2023, arXiv 2308.08160). Plain JSON, strict.
 */
import { z } from 'zod';
import { attackRefSchema } from '../attacks/schema';
import { CRITERION_NAMES, type Criterion } from '../prune/criteria';
import { trainConfigSchema } from '../train/config';

const attackRef = attackRefSchema;

export const SCORE_METHODS = CRITERION_NAMES as readonly [Criterion, ...Criterion[]];
export type ScoreMethodName = Criterion;

const methodSchema = z.strictObject({
  /** criterion: anomaly degree (activation or gradient form), ANP-VS's absolute vulnerability,
   *  magnitude, random, SNIP/Taylor, learned (HYDRA) */
  name: z.enum(SCORE_METHODS),
  /** a label for reports (default: the name) */
  label: z.string().min(1).optional(),
  /** snip only: differentiate the clean or the adversarial loss (default 'adversarial') */
  loss: z.enum(['clean', 'adversarial']).optional(),
  /** anomaly forms: δ in the denominator |a(x)| + δ (default: the scorer's) */
  delta: z.number().positive().optional(),
  /** flip the ranking (prune the least anomalous first), to test the opposite hypothesis */
  flipOrder: z.boolean().default(false),
  /** learned criteria: epochs of score optimization (default 2) */
  epochs: z.number().int().min(1).optional(),
  /** the dead-unit rule: prune dead paths first (default 'first' for anomaly criteria, else 'off') */
  dead: z.enum(['first', 'off']).optional(),
  /** anomaly criteria: 'tempered' keep-score |w|·p^α (default) or the 'naive' first definition */
  variant: z.enum(['tempered', 'naive']).optional(),
  /** anomaly criteria, tempered: exponent α in [−16, 16] (default DEFAULT_ALPHA; < 0 keeps the
   *  anomalous units, the opposite hypothesis) */
  alpha: z.number().min(-16).max(16).optional(),
  /** learned criteria: λ ≥ 0 of the ANP-VS vulnerability-suppression term (default 0) */
  vsLambda: z.number().min(0).max(100).optional(),
});

const scheduleSchema = z.discriminatedUnion('kind', [
  /** prune once to the target sparsity, then fine-tune */
  z.strictObject({ kind: z.literal('one-shot') }),
  /** rounds of prune + fine-tune on Zhu & Gupta's cubic schedule; fineTune runs each round */
  z.strictObject({
    kind: z.literal('iterative'),
    rounds: z.number().int().min(2).max(20).default(3),
  }),
  /** learnable mask initialized from the scores, trained jointly with the weights (fineTune) */
  z.strictObject({
    kind: z.literal('end-to-end'),
    /** learning rate of the mask scores (default 0.01) */
    scoreLr: z.number().positive().default(0.01),
  }),
]);

export const pruneConfigSchema = z.strictObject({
  /** samples of the training set used to compute scores (default 512) */
  scoringSamples: z.number().int().positive().default(512),
  /** attack that makes x' for the anomaly scores and adversarial SNIP (default PGD-L∞, 10 steps) */
  scoringAttack: attackRef.default({ name: 'pgd-linf', options: { steps: 10 } }),
  /** criteria compared, each pruned and fine-tuned with the same budget */
  methods: z.array(methodSchema).min(1),
  /** 'unstructured' (weights) or 'structured' (conv channels and dense units) (default unstructured) */
  granularity: z.enum(['unstructured', 'structured']).default('unstructured'),
  /** 'global' ranking across layers (default) or 'layer'-wise */
  scope: z.enum(['global', 'layer']).default('global'),
  /** the most any layer may lose (default 0.99 unstructured, 0.9 structured) */
  maxLayerSparsity: z.number().min(0).max(1).optional(),
  /** target sparsities, fractions of weights (or units) removed, in [0, 1) */
  sparsities: z.array(z.number().min(0).lt(1)).min(1),
  schedule: scheduleSchema.default({ kind: 'one-shot' }),
  /** adversarial fine-tuning of each pruned model (the same budget for every method) */
  fineTune: trainConfigSchema,
  /** save each pruned model (masks applied, masks beside them) (default true) */
  saveModels: z.boolean().default(true),
});

export const transferConfigSchema = z.strictObject({
  /** attacks crafted on the base model and applied to every pruned model */
  attacks: z.array(attackRef).min(1),
  /** test images used (default 1000) */
  n: z.number().int().positive().default(1000),
  /** batch of the inference-time measurement (default 100) and repeats (default 20) */
  timingBatch: z.number().int().positive().default(100),
  timingRepeats: z.number().int().positive().default(20),
});

export type PruneConfig = z.output<typeof pruneConfigSchema>;
export type TransferConfig = z.output<typeof transferConfigSchema>;
export type PruneMethodConfig = z.output<typeof methodSchema>;
