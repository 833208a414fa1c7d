/**
 * The pruning stages of an experiment (thesis framework: adversarial pre-training → scores on
 * adversarial examples → pruning by global ranking → adversarial fine-tuning), run for every
 * criterion × sparsity with the same scoring samples, attack, mask rule and fine-tuning budget,
 * then evaluated with the experiment's attacks. One-shot, iterative (Zhu & Gupta 2017) or
 * end-to-end (a learnable mask initialized from the scores, trained jointly).
 */
import type { AbortFlag } from '../attacks/options';
import { resolveAttack } from '../attacks/seeded';
import { datasetSize, type Dataset } from '../data/dataset';
import * as tf from '@tensorflow/tfjs-core';
import { accuracy } from '../eval/accuracy';
import { evaluateRobustness, type RobustnessProgress } from '../eval/robustness';
import { cloneModel, disposeModel } from '../model/init';
import { logitsFn } from '../model/forward';
import type { Masks, Model } from '../model/types';
import { endToEndPrune } from '../prune/end-to-end';
import { fineTuneMasked } from '../prune/finetune';
import { iterativePrune } from '../prune/iterative';
import { disposeMasks, masksFromScores, toTensorMasks } from '../prune/masks';
import { SPARSITY_TARGETED } from '../prune/criteria';
import { scoreCriterion } from '../prune/score-criterion';
import type { ScorerName } from '../prune/scores';
import { sparsityReport, type SparsityReport } from '../prune/sparsity';
import type { MaskRule, PlainMasks, ScoreSet } from '../prune/types';
import { parseTrainConfig } from '../train/config';
import type { ScheduleConfig } from '../train/schedules';
import type { EpochMetrics, TrainStatus } from '../train/types';
import type { ExperimentConfig } from './config';
import type { PruneConfig, PruneMethodConfig } from './prune-config';
import type { EvaluationReport } from './report';

export interface PrunedVariant {
  /** the criterion's label (its name unless the config gave one) */
  method: string;
  /** target sparsity, fraction removed */
  sparsity: number;
  /** the pruned, fine-tuned model (masked weights exactly 0); the caller disposes it */
  model: Model;
  masks: PlainMasks;
}

export interface PruneVariantReport {
  method: string;
  criterion: ScorerName;
  sparsity: number;
  schedule: PruneConfig['schedule']['kind'];
  /** scoring: wall seconds and what the scores were computed on */
  scoring: { seconds: number; meta: ScoreSet['meta'] };
  /** per layer and global: fraction removed, params and MACs before/after */
  sparsityReport: SparsityReport;
  fineTune: { status: TrainStatus; message: string; epochs: EpochMetrics[]; seconds: number };
  evaluation: EvaluationReport;
}

/** What the fine-tuning epochs of every schedule have in common. */
export interface FineTuneEpoch {
  epoch: number;
  trainLoss: number;
  trainAdvAcc: number | null;
  valCleanAcc: number | null;
  valAdvAcc: number | null;
  wallSec: number;
}

export interface PruneStageHooks {
  onStage?(stage: string, detail: string): void;
  onFineTuneProgress?(method: string, sparsity: number, step: number, total: number): void;
  /** an epoch of fine-tuning (or of end-to-end mask learning) ended */
  onFineTuneEpoch?(method: string, sparsity: number, e: FineTuneEpoch): void;
  signal?: AbortFlag;
}

const seconds = (t0: number) => (performance.now() - t0) / 1000;

/** Robustness of `model` under `masks` on the test split, as in the experiment's evaluation. */
export async function evaluateModel(
  config: ExperimentConfig,
  dataset: string,
  model: Model,
  test: Dataset,
  masks?: PlainMasks,
  onProgress?: (p: RobustnessProgress) => void,
): Promise<EvaluationReport> {
  const t0 = performance.now();
  const attacks = config.eval.attacks.map((a) => resolveAttack(a, dataset, config.seed));
  const n = Math.min(config.eval.n, datasetSize(test));
  const size = test.shape[0] * test.shape[1] * test.shape[2];
  const tm = masks ? toTensorMasks(masks) : undefined;
  try {
    const r = await evaluateRobustness(
      logitsFn(model, { masks: tm }),
      { x: test.images.subarray(0, n * size), y: test.labels.subarray(0, n), shape: test.shape },
      attacks,
      { batchSize: config.eval.batchSize, standalone: config.eval.standalone, onProgress },
    );
    return {
      n: r.n,
      cleanAccuracy: r.cleanAccuracy,
      attacks: r.perAttack.map((a) => ({
        name: a.name,
        options: a.options,
        robustAccuracy: a.robustAccuracy,
        cumulativeAccuracy: a.cumulativeAccuracy,
        evaluated: a.evaluated,
        seconds: a.seconds,
      })),
      worstCaseAccuracy: r.worstCaseAccuracy,
      standalone: r.standalone,
      ...(config.eval.cleanN !== undefined && config.eval.cleanN > n
        ? { cleanFull: await cleanOnFirst(model, test, config.eval.cleanN, tm) }
        : {}),
      wallSeconds: seconds(t0),
    };
  } finally {
    if (tm) disposeMasks(tm);
  }
}

/** Clean accuracy of `model` under `masks` on the first `count` test images (all if fewer). */
async function cleanOnFirst(
  model: Model,
  test: Dataset,
  count: number,
  masks: Masks | undefined,
): Promise<{ n: number; accuracy: number }> {
  const n = Math.min(count, datasetSize(test));
  const [h, w, c] = test.shape;
  const x = tf.tensor4d(test.images.subarray(0, n * h * w * c), [n, h, w, c]); // [N, H, W, C]
  const y = tf.tensor1d(test.labels.subarray(0, n), 'int32'); // [N]
  try {
    return { n, accuracy: await accuracy(logitsFn(model, { masks }), x, y, 500) };
  } finally {
    tf.dispose([x, y]);
  }
}

interface StageInput {
  config: ExperimentConfig;
  prune: PruneConfig;
  dataset: string;
  base: Model;
  data: { train: Dataset; val?: Dataset; test: Dataset };
  hooks: PruneStageHooks;
}

function label(m: PruneMethodConfig): string {
  return m.label ?? (m.flipOrder ? `${m.name} (flipped)` : m.name);
}

/** Scores of `model` (under `masks`) by criterion `m`. */
async function score(
  s: StageInput,
  m: PruneMethodConfig,
  model: Model,
  sparsity: number,
  masks?: PlainMasks,
): Promise<ScoreSet> {
  const { prune, config } = s;
  const ft = parseTrainConfig(prune.fineTune);
  return scoreCriterion({
    criterion: m.name,
    options: {
      delta: m.delta,
      flipOrder: m.flipOrder,
      loss: m.loss,
      dead: m.dead,
      variant: m.variant,
      alpha: m.alpha,
      vsLambda: m.vsLambda,
    },
    model,
    masks,
    train: s.data.train,
    samples: prune.scoringSamples,
    attack: prune.scoringAttack,
    dataset: s.dataset,
    granularity: prune.granularity,
    seed: config.seed,
    learned: {
      train: s.data.train,
      sparsity,
      scope: prune.scope,
      maxLayerSparsity: prune.maxLayerSparsity,
      objective: ft.objective,
      epochs: m.epochs ?? 2,
      batchSize: ft.batchSize,
    },
    signal: s.hooks.signal,
  });
}

/**
 * Prune the base model with every criterion at every sparsity (a clone each time), fine-tune
 * and evaluate. Returns the reports and the pruned models (the caller disposes them).
 */
export async function runPruneStage(
  s: StageInput,
): Promise<{ reports: PruneVariantReport[]; variants: PrunedVariant[] }> {
  const { prune, hooks } = s;
  const rule: Omit<MaskRule, 'sparsity'> = {
    scope: prune.scope,
    maxLayerSparsity: prune.maxLayerSparsity,
  };
  const reports: PruneVariantReport[] = [];
  const variants: PrunedVariant[] = [];
  const ft = parseTrainConfig(prune.fineTune);
  try {
    for (const m of prune.methods) {
      const name = label(m);
      // scores of the base are computed once per criterion (learned scores target a sparsity)
      let baseScores: ScoreSet | null = null;
      let baseScoreSeconds = 0;
      for (const sparsity of prune.sparsities) {
        if (hooks.signal?.aborted) return { reports, variants };
        hooks.onStage?.('score', `${name} at sparsity ${sparsity}`);
        const tScore = performance.now();
        const targeted = SPARSITY_TARGETED.includes(m.name);
        const scores: ScoreSet =
          targeted || baseScores === null ? await score(s, m, s.base, sparsity) : baseScores;
        if (!targeted && baseScores === null) {
          baseScores = scores;
          baseScoreSeconds = seconds(tScore);
        }
        const scoreSeconds = targeted ? seconds(tScore) : baseScoreSeconds;
        const model = cloneModel(s.base);
        const tFt = performance.now();
        const onProgress = (p: { step: number; epochs: number; batchesPerEpoch: number }) =>
          hooks.onFineTuneProgress?.(name, sparsity, p.step, p.epochs * p.batchesPerEpoch);
        const onEpochEnd = (e: FineTuneEpoch) => hooks.onFineTuneEpoch?.(name, sparsity, e);
        let masks: PlainMasks;
        let fine: PruneVariantReport['fineTune'];
        try {
          hooks.onStage?.('prune', `${name}, ${prune.schedule.kind}, sparsity ${sparsity}`);
          if (prune.schedule.kind === 'one-shot') {
            masks = masksFromScores(model.spec, scores, { ...rule, sparsity });
            const r = await fineTuneMasked(model, masks, s.data, ft, {
              onProgress,
              onEpochEnd,
              signal: hooks.signal,
            });
            fine = { status: r.status, message: r.message, epochs: r.history, seconds: 0 };
          } else if (prune.schedule.kind === 'iterative') {
            const r = await iterativePrune(model, s.data, {
              score: (mm, mk) => score(s, m, mm, sparsity, mk),
              finalSparsity: sparsity,
              rounds: prune.schedule.rounds,
              rule,
              fineTune: ft,
              signal: hooks.signal,
              fineTuneHooks: { onProgress, onEpochEnd },
            });
            masks = r.masks;
            fine = { status: r.status, message: r.message, epochs: [], seconds: 0 };
          } else {
            const r = await endToEndPrune(model, s.data, scores, {
              sparsity,
              scope: prune.scope,
              maxLayerSparsity: prune.maxLayerSparsity,
              objective: ft.objective,
              epochs: ft.epochs,
              batchSize: ft.batchSize,
              seed: ft.seed,
              weights: {
                optimizer: ft.optimizer,
                lr: scheduleLr(ft.schedule),
                schedule: 'constant',
              },
              scores: {
                optimizer: { kind: 'adam' },
                lr: prune.schedule.scoreLr,
                schedule: 'constant',
              },
              signal: hooks.signal,
              onProgress,
              onEpochEnd,
            });
            masks = r.masks;
            fine = {
              status:
                r.status === 'diverged'
                  ? 'diverged'
                  : r.status === 'stopped'
                    ? 'stopped'
                    : 'completed',
              message: r.message,
              epochs: [],
              seconds: 0,
            };
          }
        } catch (e) {
          disposeModel(model);
          throw e;
        }
        fine.seconds = seconds(tFt);
        variants.push({ method: name, sparsity, model, masks });
        hooks.onStage?.('eval', `${name} at sparsity ${sparsity}`);
        reports.push({
          method: name,
          criterion: m.name,
          sparsity,
          schedule: prune.schedule.kind,
          scoring: { seconds: scoreSeconds, meta: scores.meta },
          sparsityReport: sparsityReport(model.spec, masks),
          fineTune: fine,
          evaluation: await evaluateModel(s.config, s.dataset, model, s.data.test, masks),
        });
      }
    }
    return { reports, variants };
  } catch (e) {
    for (const v of variants) disposeModel(v.model);
    throw e;
  }
}

/** The weights' learning rate of end-to-end pruning: the schedule's initial (or peak) rate. */
function scheduleLr(schedule: ScheduleConfig): number {
  return schedule.kind === 'cyclic' ? schedule.maxLr : schedule.lr;
}
