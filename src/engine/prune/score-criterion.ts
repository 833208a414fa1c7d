/**
 * One criterion's scores, the way the session and the experiment runner both compute them: the
 * first `samples` training samples, the scoring attack resolved for the dataset's budget and the
 * run's seed (attacks/seeded.ts), batches of SCORING_BATCH, the current masks (plain; uploaded for
 * the call and freed after), then the criterion from the scorer registry (scores/index.ts).
 * What differs between callers (the attack, samples, seed, the criterion's options, the learned
 * criteria's training) is the caller's choice, passed in.
 */
import type { AbortFlag } from '../attacks/options';
import { resolveAttack } from '../attacks/seeded';
import { take, type Dataset } from '../data/dataset';
import type { Model } from '../model/types';
import { disposeMasks, toTensorMasks } from './masks';
import { SCORERS, type ScorerInput, type ScorerName } from './scores';
import type { Granularity, PlainMasks, ScoreSet } from './types';

/** Samples per forward/attack batch while scoring (scores do not depend on it). */
export const SCORING_BATCH = 128;

export interface CriterionScoring {
  criterion: ScorerName;
  /** the criterion's options (δ, flipped order, dead rule, …; default none) */
  options?: ScorerInput['options'];
  model: Model;
  /** the current masks: pruned weights and neurons stay out (none: dense) */
  masks?: PlainMasks;
  /** the training split: its first `samples` are the scoring samples */
  train: Dataset;
  samples: number;
  /** the attack crafting x' (options it leaves out come from `dataset`'s budget and `seed`) */
  attack: { name: string; options?: Record<string, unknown> };
  /** the dataset's budget name ('fashion-mnist', 'cifar10', …) */
  dataset: string;
  granularity: Granularity;
  /** seed of the attack's random starts and of the seeded criteria */
  seed: number;
  /** learned criteria only: their training (data, target sparsity, objective, epochs) */
  learned?: ScorerInput['learned'];
  signal?: AbortFlag;
  /** samples scored so far, out of the total */
  onProgress?(done: number, total: number): void;
}

/** Compute one criterion's ScoreSet (see the file comment). */
export async function scoreCriterion(r: CriterionScoring): Promise<ScoreSet> {
  const d = take(r.train, r.samples);
  const masks = r.masks && r.masks.size > 0 ? toTensorMasks(r.masks) : undefined;
  try {
    return await SCORERS[r.criterion].run({
      ctx: {
        model: r.model,
        masks,
        data: { x: d.images, y: d.labels, shape: d.shape },
        attack: resolveAttack(r.attack, r.dataset, r.seed),
        granularity: r.granularity,
        batchSize: SCORING_BATCH,
        seed: r.seed,
        signal: r.signal,
        onProgress: r.onProgress,
      },
      options: r.options ?? {},
      learned: r.learned,
    });
  } finally {
    if (masks) disposeMasks(masks);
  }
}
