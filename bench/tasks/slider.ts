/**
 * Slider-update benchmark (the dashboard's sparsity slider): a LeNet trained for a few hundred
 * standard SGD steps on Fashion-MNIST, magnitude scores |w| (Han et al. 2015, arXiv 1506.02626)
 * ranked globally once, and a sparsity evaluator (src/engine/eval/sparsity-evaluator.ts) on N
 * test images: transfer set crafted once on the base by PGD-10 L∞ (ε 0.1, 10 steps of 0.025),
 * white-box PGD-10 on the masked model. Then `points` seeded random sparsities in [0, 0.95):
 * the clean + transfer latency (from the call to onPartial: masks, one batched forward sweep over
 * [clean; transfer] in batches of `sweepBatch` (the app's SWEEP_BATCH), one read) and the
 * white-box latency (the evaluator's own ms.whiteBox). Then the progressive white-box figure
 * with the app's settings on the first PROGRESSIVE_N images (slider-core.ts, progressiveMoves):
 * from the call to the first estimate and to the full figure.
 * A warm-up call runs first. Units: ms.
 */
import * as tf from '@tensorflow/tfjs-core';
import { take } from '../../src/engine/data/dataset';
import { createSparsityEvaluator } from '../../src/engine/eval/sparsity-evaluator';
import { latencyStats } from '../../src/engine/eval/timing';
import { disposeModel, initModel } from '../../src/engine/model/init';
import { lenetSpec } from '../../src/engine/model/spec';
import { rankScores } from '../../src/engine/prune/ranking';
import { magnitudeScores } from '../../src/engine/prune/scores/magnitude';
import { Rng } from '../../src/engine/rng';
import { SWEEP_BATCH, WHITE_BOX_FIRST_N } from '../../src/engine/session/slider';
import { trainModel } from '../../src/engine/train/loop';
import { fashionMnist } from '../lib/data';
import { measure, type Timing } from '../lib/measure';
import { PGD10, progressiveMoves } from './slider-core';

/** evaluation images of the progressive white-box rows (issue 13: the full figure on 250) */
export const PROGRESSIVE_N = 250;

export interface SliderResult {
  partial: Timing;
  whiteBox: Timing;
  /** the base model's clean and transfer accuracy on the N samples, [0, 1] */
  baseClean: number;
  baseTransfer: number;
  createMs: number;
  trainSteps: number;
  tensorsCached: number;
  tensorsAfter: number;
  /** medians of the evaluator's own phases of the timed moves, ms: masks, the sweep */
  phases: { masks: number; sweep: number };
  /**
   * the progressive white-box figure on the first PROGRESSIVE_N images with the app's settings
   * (first estimate on WHITE_BOX_FIRST_N), from the call: the first estimate and the full figure;
   * moves without a first estimate, and the mean clean-correct images attacked
   */
  progressive: { first: Timing; full: Timing; noEstimate: number; targets: number };
}

/**
 * The slider benches' model: a LeNet (seed 0) trained for `trainSteps` steps of 64 Fashion-MNIST
 * images (constant lr 0.05), and its global magnitude ranking.
 */
export async function sliderModel(trainSteps: number) {
  const { train } = await fashionMnist();
  const spec = lenetSpec();
  const model = initModel(spec, 0);
  await trainModel(
    model,
    { train: take(train, trainSteps * 64) },
    {
      epochs: 1,
      batchSize: 64,
      schedule: { kind: 'constant', lr: 0.05 },
      validation: { subsetSize: 0 },
    },
  );
  const ranking = rankScores(spec, await magnitudeScores(model, 'unstructured'), {});
  return { model, ranking };
}

/**
 * The slider's evaluator as the app builds it: PGD-10 transfer set crafted once on `model`,
 * PGD-10 white-box, over `data` (attack batches of `batch`, sweeps of `sweepBatch`).
 */
export function pgd10Evaluator(
  model: Parameters<typeof createSparsityEvaluator>[0]['model'],
  ranking: Parameters<typeof createSparsityEvaluator>[0]['ranking'],
  data: ReturnType<typeof take>,
  batch: number,
  sweepBatch: number,
) {
  return createSparsityEvaluator({
    model,
    ranking,
    data: { x: data.images, y: data.labels, shape: data.shape },
    transferAttack: { name: 'pgd-linf', options: PGD10 },
    whiteBoxAttack: { name: 'pgd-linf', options: PGD10 },
    batchSize: batch,
    sweepBatchSize: sweepBatch,
  });
}

/**
 * Train, rank, build the evaluator over `n` images (attack batches of `batch`, sweeps of
 * `sweepBatch`) and time `points` moves.
 */
export async function sliderBench(
  n: number,
  batch: number,
  points: number,
  trainSteps: number,
  sweepBatch = SWEEP_BATCH,
): Promise<SliderResult> {
  const { test } = await fashionMnist();
  const { model, ranking } = await sliderModel(trainSteps);
  const ev100 = take(test, n);
  const t0 = performance.now();
  const ev = await pgd10Evaluator(model, ranking, ev100, batch, sweepBatch);
  const createMs = performance.now() - t0;
  const tensorsCached = tf.memory().numTensors;
  const rng = new Rng(42);
  const whiteMs: number[] = [];
  const masksMs: number[] = [];
  const sweepMs: number[] = [];
  let partialAt = NaN;
  let start = NaN;
  const partialOnce = async () => {
    start = performance.now();
    const out = await ev.evaluate(rng.next() * 0.95, {
      onPartial: () => (partialAt = performance.now()),
    });
    if (out.status !== 'done') throw new Error(`slider: unexpected ${out.status}`);
    whiteMs.push(out.point.ms.whiteBox);
    masksMs.push(out.point.ms.masks);
    sweepMs.push(out.point.ms.sweep);
  };
  // measure() times the whole call; the clean + transfer part is taken from onPartial
  const partialMs: number[] = [];
  await measure(
    async () => {
      await partialOnce();
      partialMs.push(partialAt - start);
    },
    1,
    points,
  );
  const tensorsAfter = tf.memory().numTensors;
  await ev.dispose();
  // the progressive white-box figure: the app's evaluator on the first PROGRESSIVE_N images
  const few = take(test, PROGRESSIVE_N);
  const pev = await createSparsityEvaluator({
    model,
    ranking,
    data: { x: few.images, y: few.labels, shape: few.shape },
    transferAttack: { name: 'pgd-linf', options: PGD10 },
    whiteBoxAttack: { name: 'pgd-linf', options: PGD10 },
    batchSize: batch,
    sweepBatchSize: sweepBatch,
    whiteBoxEstimate: { n: WHITE_BOX_FIRST_N },
  });
  const prog = await progressiveMoves(pev, points).finally(() => pev.dispose());
  disposeModel(model);
  const stats = (v: number[]): Timing => {
    const l = latencyStats(v);
    return { median: l.median, p95: l.p95, runs: l.runs, samples: v };
  };
  return {
    partial: stats(partialMs.slice(1)), // the first entry is the warm-up call
    whiteBox: stats(whiteMs.slice(1)),
    baseClean: ev.base.clean,
    baseTransfer: ev.base.transfer,
    createMs,
    trainSteps,
    tensorsCached,
    tensorsAfter,
    phases: {
      masks: latencyStats(masksMs.slice(1)).median,
      sweep: latencyStats(sweepMs.slice(1)).median,
    },
    progressive: {
      first: stats(prog.first),
      full: stats(prog.full),
      noEstimate: prog.noEstimate,
      targets: prog.targets,
    },
  };
}
