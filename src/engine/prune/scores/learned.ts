/**
 * Learned pruning scores: HYDRA (Sehwag, Wang, Mittal and Jana, "HYDRA: Pruning Adversarially
 * Robust Neural Networks", NeurIPS 2020, arXiv 2002.10509; code inspire-group/hydra).
 *
 * The pre-trained weights θ are frozen; one importance score s per weight (unstructured, kernel
 * shape) or per unit (structured, `[out]`) is optimized so that the subnetwork of the top-k |s|
 * minimizes the adversarial training loss (PGD-AT or TRADES, train/objectives):
 *   min_s  E_(x,y) L_adv(θ ⊙ m(s); x, y),   m(s) = 1[|s| in the top (1 − sparsity)]
 * with the straight-through estimator ∂L/∂s = sign(s)·∂L/∂m (ste.ts; loop: mask-learning.ts).
 * Initialization (HYDRA's `initialize_scaled_score`, a Kaiming-uniform-like scale):
 *   unstructured  s = √(6/fan_in) · w / max|w|            (per layer; signed, as in the code)
 *   structured    s_j = √(6/fan_in) · ‖w_j‖₂ / max_j ‖w_j‖₂ (our analogue; w_j = unit j's kernel
 *                 slice, the last axis of HWIO / [in, out]); fan_in = k·k·C_in or `in`
 * so the first mask is the layer-wise magnitude mask (global scope compares layers after the
 * √(6/fan_in) scaling, as HYDRA's scores would be). HYDRA prunes layer-wise; both scopes work here.
 * Defaults follow HYDRA's pruning phase: SGD μ 0.9, weight decay 1e-4, lr 0.1, cosine decay
 * (the paper uses 20 epochs; pass `epochs`). BN runs on batch statistics and the model is not
 * modified. Output: the ScoreSet of |s| (method 'learned', order 'prune-lowest'), whose
 * masksFromScores at the same rule is exactly the last mask used.
 */
import { z } from 'zod';
import type { Dataset } from '../../data/dataset';
import type { Model } from '../../model/types';
import { parseOrThrow } from '../../train/parse';
import { learnMask, maskRunFields, rateSchema, resolveRate } from '../mask-learning';
import type { MaskHooks, Rate } from '../mask-learning';
import { prunableKernels } from '../masks';
import { createScoreVars, disposeScoreVars, readScoreSet } from '../ste';
import type { Granularity, ScoreSet } from '../types';

const learnedSchema = z.strictObject({
  ...maskRunFields,
  granularity: z.enum(['unstructured', 'structured']),
  /** score learning rate > 0 (default 0.1, HYDRA) */
  lr: z.number().gt(0).default(0.1),
  /** score optimizer (default SGD μ 0.9, wd 1e-4) and schedule (default 'cosine') */
  optimizer: rateSchema.shape.optimizer,
  schedule: z.enum(['constant', 'cosine']).default('cosine'),
  /** λ ≥ 0 of the ANP-VS vulnerability-suppression term (prune/vulnerability.ts; default 0: off) */
  vsLambda: z.number().min(0).max(100).default(0),
});

export type LearnedOptions = z.input<typeof learnedSchema> &
  MaskHooks & {
    /**
     * initial scores instead of HYDRA's scaled magnitude (e.g. keepScaledInit of a dead-aware
     * anomaly keep-score), kernel name → { shape, data }; `initName` names it in the report
     */
    init?: Map<string, { shape: number[]; data: Float32Array }>;
    initName?: string;
  };

/**
 * HYDRA-scaled initial scores from any keep-score (higher is kept; order 'prune-lowest'):
 *   s = √(6/fan_in) · k / max_layer k
 * per eligible layer, as hydraInitScores scales |w|. Non-finite entries (the dead rule's −∞) and
 * masked entries (0) start at exactly 0, so they sit at the bottom of the first top-k mask.
 */
export function keepScaledInit(
  model: Model,
  keep: ScoreSet,
  exclude?: string[],
): Map<string, { shape: number[]; data: Float32Array }> {
  if (keep.order !== 'prune-lowest')
    throw new Error(`scores '${keep.method}' prune the highest first; a keep-score is needed`);
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const l of prunableKernels(model.spec, keep.granularity, exclude)) {
    const s = keep.layers.get(l.kernelName);
    if (!s) throw new Error(`scores have no entry for '${l.kernelName}'`);
    const v = Float32Array.from(s.data, (x) => (Number.isFinite(x) && x > 0 ? x : 0));
    let max = 0;
    for (const x of v) max = Math.max(max, x);
    const scale = max > 0 ? Math.sqrt(6 / l.fanIn) / max : 0;
    for (let i = 0; i < v.length; i++) v[i] *= scale;
    out.set(l.kernelName, { shape: [...s.shape], data: v });
  }
  return out;
}

export const HYDRA_RATE: Rate = {
  optimizer: { kind: 'sgd', momentum: 0.9, weightDecay: 1e-4 },
  lr: 0.1,
  schedule: 'cosine',
};

/**
 * HYDRA's scaled initial scores of the eligible layers (see the file comment), read from the
 * model's kernels. A layer whose kernel is all zero gets all-zero scores.
 */
export async function hydraInitScores(
  model: Model,
  granularity: Granularity,
  exclude?: string[],
): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const l of prunableKernels(model.spec, granularity, exclude)) {
    const w = await (model.params.get(l.kernelName) as { data(): Promise<Float32Array> }).data();
    const out_ = l.neurons;
    let v: Float32Array;
    if (granularity === 'unstructured') v = Float32Array.from(w);
    else {
      const sq = new Float64Array(out_);
      for (let i = 0; i < w.length; i++) sq[i % out_] += w[i] * w[i]; // last axis = unit
      v = Float32Array.from(sq, Math.sqrt);
    }
    let max = 0;
    for (const x of v) max = Math.max(max, Math.abs(x));
    const scale = max > 0 ? Math.sqrt(6 / l.fanIn) / max : 0;
    for (let i = 0; i < v.length; i++) v[i] *= scale;
    out.set(l.kernelName, {
      shape: granularity === 'unstructured' ? [...l.kernelShape] : [out_],
      data: v,
    });
  }
  return out;
}

/**
 * HYDRA's learned scores for `model` (not modified) at the target sparsity.
 * @param data.train the training set (must fit the model)
 * @param opts granularity; sparsity in [0, 1) (fraction removed); scope 'global' | 'layer';
 *   objective (train objective config, e.g. { kind: 'pgd-at', eps: 0.1 }); epochs ≥ 1;
 *   batchSize; lr; optimizer; schedule; seed; maxLayerSparsity; exclude; hooks
 * @returns the ScoreSet of |s|; meta.status is 'completed', 'stopped' (signal) or 'diverged'
 * @throws TrainError `bad-config` naming a bad option, `bad-data` for data that does not fit
 */
export async function learnedScores(
  model: Model,
  data: { train: Dataset },
  opts: LearnedOptions,
): Promise<ScoreSet> {
  const { signal, onProgress, onEpochEnd, init, initName, ...plain } = opts;
  const o = parseOrThrow(learnedSchema, plain, 'learned');
  const rule = {
    sparsity: o.sparsity,
    scope: o.scope,
    maxLayerSparsity: o.maxLayerSparsity,
    exclude: o.exclude,
  };
  const t0 = performance.now();
  const scores = createScoreVars(init ?? (await hydraInitScores(model, o.granularity, o.exclude)));
  try {
    const r = await learnMask(
      model,
      { train: data.train },
      scores,
      {
        granularity: o.granularity,
        rule,
        objective: o.objective,
        epochs: o.epochs,
        batchSize: o.batchSize,
        seed: o.seed,
        remaskEvery: o.remaskEvery,
        scores: resolveRate(
          { optimizer: o.optimizer, lr: o.lr, schedule: o.schedule },
          HYDRA_RATE,
          'learned',
        ),
        weights: null,
        bnMomentum: 0,
        validation: null,
        vsLambda: o.vsLambda,
      },
      { signal, onProgress, onEpochEnd },
    );
    const last = r.history[r.history.length - 1];
    return await readScoreSet(model, scores, o.granularity, 'learned', {
      init: initName ?? 'hydra-scaled-magnitude',
      vsLambda: o.vsLambda,
      sparsity: o.sparsity,
      scope: o.scope,
      objective: o.objective.kind,
      epochs: r.history.length,
      steps: r.steps,
      finalLoss: last ? last.trainLoss : NaN,
      status: r.status,
      seconds: (performance.now() - t0) / 1000,
    });
  } finally {
    disposeScoreVars(scores);
  }
}
