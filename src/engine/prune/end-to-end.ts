/**
 * End-to-end (online) adversarial pruning, the thesis's variant of anomaly-degree pruning: a
 * learnable pruning mask, initialized from a one-shot anomaly mask, trained JOINTLY with the
 * weights under the adversarial loss with a straight-through top-k mask (HYDRA's estimator:
 * Sehwag, Wang, Mittal and Jana 2020, arXiv 2002.10509; loop in mask-learning.ts).
 *
 * Initialization (`rankInitScores`): s_i = (rank_i + 1)/N ∈ (0, 1], where the ranking puts every
 * weight (unit) kept by the one-shot mask M₀ = masksFromScores(initial, rule) above every pruned
 * one and, within each group, orders by `initial` (flipped when it prunes the highest, as anomaly
 * does: the least anomalous rank highest), ties by position. Ranks are global (scope 'global') or
 * per layer, and all distinct, so the first top-k mask is exactly M₀ whatever the tie rule.
 * Per step: m = top-k(|s|), x' = attack on the masked model, L = adversarial loss with
 * masks ste(|s|, m); θ and s both updated. At the end the final masks are applied to the weights
 * (pruned weights, and for structured masks their bias and BN gamma/beta, exactly 0).
 * Defaults: weights SGD μ 0.9, wd 5e-4, lr 0.01; scores Adam lr 1e-3 (scores are ranks in
 * (0, 1], so an Adam step of ~lr moves a score by about lr·N ranks); both constant.
 */
import { z } from 'zod';
import type { Dataset } from '../data/dataset';
import type { ModelSpec } from '../model/spec';
import type { Model } from '../model/types';
import { validationSchema } from '../train/config';
import { parseOrThrow } from '../train/parse';
import { assertMaskedZero, applyMasksToWeights } from './finetune';
import {
  learnMask,
  maskRunFields,
  rateSchema,
  resolveRate,
  resolveValidation,
} from './mask-learning';
import type { MaskEpochMetrics, MaskHooks, LearnStatus, RateInput, Rate } from './mask-learning';
import { disposeMasks, masksFromScores, prunableKernels, toTensorMasks } from './masks';
import { createScoreVars, disposeScoreVars, readScoreSet } from './ste';
import type { MaskRule, PlainMasks, ScoreSet } from './types';

const endToEndSchema = z.strictObject({
  ...maskRunFields,
  /** weight optimizer and rate (default SGD μ 0.9, wd 5e-4, lr 0.01, constant) */
  weights: rateSchema.optional(),
  /** score optimizer and rate (default Adam, lr 1e-3, constant) */
  scores: rateSchema.optional(),
  /** BN running-statistics momentum in [0, 1] (default 0.1) */
  bnMomentum: z.number().min(0).max(1).default(0.1),
  /** per-epoch validation on data.val (train/config.ts validation fields; default subset 1000) */
  validation: validationSchema.optional(),
});

/** Options of endToEndPrune: plain fields (validated) and hooks. */
export type EndToEndOptions = z.input<typeof endToEndSchema> &
  MaskHooks & {
    weights?: RateInput;
    scores?: RateInput;
  };

export interface EndToEndResult {
  /** the final learned scores (|s|, method 'end-to-end', order 'prune-lowest') */
  scores: ScoreSet;
  /** the final masks = masksFromScores(scores, rule), applied to the model */
  masks: PlainMasks;
  /** the one-shot mask of `initial` (the first step's mask) */
  initialMasks: PlainMasks;
  history: MaskEpochMetrics[];
  status: LearnStatus;
  message: string;
}

export const WEIGHT_RATE: Rate = {
  optimizer: { kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 },
  lr: 0.01,
  schedule: 'constant',
};
export const SCORE_RATE: Rate = { optimizer: { kind: 'adam' }, lr: 1e-3, schedule: 'constant' };

/**
 * Initial score values (see the file comment) for the eligible layers of `rule`, each in (0, 1].
 * @returns kernel name → { shape, data }, and M₀
 * @throws MaskError when `initial` does not fit the spec or the rule (masks.ts)
 */
export function rankInitScores(
  spec: ModelSpec,
  initial: ScoreSet,
  rule: MaskRule,
): { init: Map<string, { shape: number[]; data: Float32Array }>; m0: PlainMasks } {
  const m0 = masksFromScores(spec, initial, rule);
  const layers = prunableKernels(spec, initial.granularity, rule.exclude);
  const sign = initial.order === 'prune-highest' ? -1 : 1; // goodness: higher is kept
  const groups = (rule.scope ?? 'global') === 'global' ? [layers] : layers.map((l) => [l]);
  const init = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const group of groups) {
    const kept: number[] = [];
    const good: number[] = [];
    const where: [string, number][] = [];
    for (const l of group) {
      const s = initial.layers.get(l.kernelName);
      const m = m0.get(l.kernelName);
      if (!s || !m) continue;
      init.set(l.kernelName, { shape: [...s.shape], data: new Float32Array(s.data.length) });
      for (let i = 0; i < s.data.length; i++) {
        kept.push(m.data[i]);
        good.push(sign * s.data[i]);
        where.push([l.kernelName, i]);
      }
    }
    const order = Array.from({ length: kept.length }, (_, i) => i);
    const cmp = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0);
    order.sort((a, b) => cmp(kept[a], kept[b]) || cmp(good[a], good[b]) || a - b);
    order.forEach((j, pos) => {
      const [k, i] = where[j];
      (init.get(k) as { data: Float32Array }).data[i] = (pos + 1) / order.length;
    });
  }
  return { init, m0 };
}

/**
 * Prunes `model` end to end: scores initialized from `initial` (an anomaly ScoreSet, per weight
 * for unstructured or per unit for structured), then `epochs` of joint adversarial training of
 * weights and mask, then the final mask applied (model modified in place).
 * @param opts sparsity in [0, 1) (fraction removed), scope, objective, epochs, batchSize, seed,
 *   weights / scores {optimizer, lr, schedule}, bnMomentum, validation, hooks
 * @throws TrainError `bad-config` naming a bad option, `bad-data` for data that does not fit;
 *   MaskError for an `initial` that does not fit the model
 */
export async function endToEndPrune(
  model: Model,
  data: { train: Dataset; val?: Dataset },
  initial: ScoreSet,
  opts: EndToEndOptions,
): Promise<EndToEndResult> {
  const { signal, onProgress, onEpochEnd, ...plain } = opts;
  const o = parseOrThrow(endToEndSchema, plain, 'endToEnd');
  const rule: MaskRule = {
    sparsity: o.sparsity,
    scope: o.scope,
    maxLayerSparsity: o.maxLayerSparsity,
    exclude: o.exclude,
  };
  const { init, m0 } = rankInitScores(model.spec, initial, rule);
  const scores = createScoreVars(init);
  try {
    const r = await learnMask(
      model,
      data,
      scores,
      {
        granularity: initial.granularity,
        rule,
        objective: o.objective,
        epochs: o.epochs,
        batchSize: o.batchSize,
        seed: o.seed,
        remaskEvery: o.remaskEvery,
        scores: resolveRate(o.scores, SCORE_RATE, 'endToEnd.scores'),
        weights: resolveRate(o.weights, WEIGHT_RATE, 'endToEnd.weights'),
        bnMomentum: o.bnMomentum,
        validation: data.val
          ? resolveValidation(o.validation ?? parseOrThrow(validationSchema, {}, 'v'), o.objective)
          : null,
      },
      { signal, onProgress, onEpochEnd },
    );
    const final = await readScoreSet(model, scores, initial.granularity, 'end-to-end', {
      initial: initial.method,
      sparsity: o.sparsity,
      scope: o.scope,
      objective: o.objective.kind,
      epochs: r.history.length,
      steps: r.steps,
      status: r.status,
    });
    const masks = masksFromScores(model.spec, final, rule);
    const t = toTensorMasks(masks);
    try {
      applyMasksToWeights(model, t);
      await assertMaskedZero(model, t);
    } finally {
      disposeMasks(t);
    }
    return {
      scores: final,
      masks,
      initialMasks: m0,
      history: r.history,
      status: r.status,
      message: r.message,
    };
  } finally {
    disposeScoreVars(scores);
  }
}
