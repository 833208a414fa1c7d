/**
 * The session's pruning scores and attack settings: one ScoreSet per (criterion, granularity)
 * by `scoreCriterion` (prune/score-criterion.ts, as the CLI scores), all on the same samples with
 * the same attack, and plain-data summaries of them.
 *
 * Scoring attack: PGD-L∞ (Madry et al. 2018, arXiv 1706.06083) at the dataset's ε
 * (attacks/budgets.ts: 0.1 Fashion-MNIST, 0.3 MNIST, 8/255 CIFAR-10), 10 steps of 2.5·ε/10,
 * random start, seeded. Scoring samples: the first `samples` (default 256) of the training split.
 * 'learned' (HYDRA, Sehwag et al. 2020, arXiv 2002.10509) optimizes scores for one target
 * sparsity under PGD-AT: here 1 epoch over the first 2048 training samples, batch 128, at the
 * slider's sparsity (0.9 when the slider is at 0).
 */
import { budgetFor } from '../attacks/budgets';
import { datasetSize, take, type Dataset } from '../data/dataset';
import type { Model } from '../model/types';
import { scoreCriterion } from '../prune/score-criterion';
import { SCORER_NAMES } from '../prune/scores';
import type { ScoreSet } from '../prune/types';
import type { AbortFlag } from '../attacks/options';
import type { AttackChoice, Criterion, Progress, ScoreRequest, ScoreSummary } from './types';
import { SessionError } from './errors';

/** Default scoring samples. */
export const DEFAULT_SCORE_SAMPLES = 256;
/** Training samples and epochs of the learned (HYDRA) scores. */
export const LEARNED_SAMPLES = 2048;
export const LEARNED_EPOCHS = 1;

export { resolveAttack, type ResolvedAttack } from '../attacks/seeded';

/** PGD-L∞ at the budget's ε with `steps` steps of 2.5·ε/steps (the scoring / white-box default). */
export function pgdAtBudget(budget: string, steps = 10): AttackChoice {
  const eps = budgetFor(budget).epsLinf;
  return { name: 'pgd-linf', options: { eps, steps, stepSize: (2.5 * eps) / steps } };
}

/** The criterion `c`, or a SessionError naming the criteria of the scorer registry. */
export function checkCriterion(c: unknown): Criterion {
  if (!SCORER_NAMES.includes(c as Criterion))
    throw new SessionError(
      `unknown criterion '${String(c)}'; expected one of ${SCORER_NAMES.join(', ')}`,
    );
  return c as Criterion;
}

export interface ScoreInputs {
  model: Model;
  train: Dataset;
  budget: string;
  /** target sparsity of 'learned' scores */
  learnedSparsity: number;
  signal: AbortFlag;
  onProgress?: (p: Progress) => void;
}

/** Compute one criterion's scores (see the file comment for samples and attack). */
export async function computeScoreSet(
  req: ScoreRequest,
  s: ScoreInputs,
): Promise<{ set: ScoreSet; summary: ScoreSummary }> {
  const criterion = checkCriterion(req.criterion);
  if (req.granularity !== 'structured' && req.granularity !== 'unstructured')
    throw new SessionError(
      `granularity must be 'structured' or 'unstructured', got '${String(req.granularity)}'`,
    );
  const samples = req.samples ?? DEFAULT_SCORE_SAMPLES;
  if (!Number.isInteger(samples) || samples < 1)
    throw new SessionError(`scoring samples must be an integer ≥ 1, got ${samples}`);
  const t0 = performance.now();
  const stage = `scores: ${criterion}`;
  const set = await scoreCriterion({
    criterion,
    model: s.model,
    train: s.train,
    samples,
    attack: pgdAtBudget(s.budget),
    dataset: s.budget,
    granularity: req.granularity,
    seed: 0,
    learned: {
      train: take(s.train, LEARNED_SAMPLES),
      sparsity: s.learnedSparsity,
      scope: req.scope ?? 'global',
      objective: { kind: 'pgd-at', eps: budgetFor(s.budget).epsLinf },
      epochs: LEARNED_EPOCHS,
      batchSize: 128,
    },
    signal: s.signal,
    onProgress: (done, total) => s.onProgress?.({ stage, done, total }),
  });
  const seconds = (performance.now() - t0) / 1000;
  const scored = Math.min(samples, datasetSize(s.train));
  return { set, summary: summarize(set, criterion, seconds, scored) };
}

/** Per-layer min, max and mean of a ScoreSet (finite values). */
export function summarize(
  set: ScoreSet,
  criterion: Criterion,
  seconds: number,
  samples: number,
): ScoreSummary {
  const layers = [...set.layers.values()].map((l) => {
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let n = 0;
    for (const v of l.data) {
      if (!Number.isFinite(v)) continue;
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
      n++;
    }
    const dead = set.deadUnits?.get(l.kernelName);
    return {
      layer: l.layer,
      kernelName: l.kernelName,
      min: n ? min : 0,
      max: n ? max : 0,
      mean: n ? sum / n : 0,
      ...(dead ? { deadUnits: dead.reduce((a, b) => a + b, 0) } : {}),
    };
  });
  const dead = set.meta.deadUnits;
  return {
    criterion,
    granularity: set.granularity,
    seconds,
    samples,
    layers,
    ...(typeof dead === 'string' ? { deadUnits: dead } : {}),
  };
}
