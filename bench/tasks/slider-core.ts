/**
 * The browser-safe slider benchmark (no Node APIs, no dataset files): a LeNet with seed-0 initial
 * weights, magnitude scores |w| (Han et al. 2015, arXiv 1506.02626) ranked globally once, and a
 * sparsity evaluator (src/engine/eval/sparsity-evaluator.ts) on `n` synthetic 28×28×1 images
 * (src/engine/data/synthetic.ts): transfer set by FGSM ε 0.1 crafted once, no white-box phase.
 * Times `moves` calls at seeded random sparsities in [0, 0.95) after one warm-up call, from the
 * call to the partial point: masks, one [clean; transfer] sweep in batches of `sweepBatch`, one
 * read. The forward work per move does not depend on the weights' values or on the labels, so
 * it equals the Node bench's (bench/tasks/slider.ts, a trained LeNet on Fashion-MNIST). Units: ms.
 *
 * The progressive white-box figure (rows slider-white-box-first / -full): `progressiveMoves`
 * times, from the call, the first white-box estimate and the full attack's figure of an evaluator
 * with the app's settings; `sliderWhiteBoxMoves` builds one for the browser (a LeNet trained
 * briefly on synthetic images of the same distribution as, but disjoint from, the evaluation
 * images, since the attack runs on the clean-correct images only).
 */
import { subset, take, type Dataset } from '../../src/engine/data/dataset';
import { syntheticDataset } from '../../src/engine/data/synthetic';
import {
  createSparsityEvaluator,
  type SparsityEvaluator,
} from '../../src/engine/eval/sparsity-evaluator';
import { disposeModel, initModel } from '../../src/engine/model/init';
import { lenetSpec } from '../../src/engine/model/spec';
import type { Model } from '../../src/engine/model/types';
import { rankScores } from '../../src/engine/prune/ranking';
import { magnitudeScores } from '../../src/engine/prune/scores/magnitude';
import { Rng } from '../../src/engine/rng';
import { EVAL_BATCH, SWEEP_BATCH, WHITE_BOX_FIRST_N } from '../../src/engine/session/slider';
import { trainModel } from '../../src/engine/train/loop';

/** Clean + transfer latencies of `moves` slider moves, ms (the warm-up call excluded). */
/** The benches' synthetic distribution (seed 1: one set of class prototypes for every part). */
function synthetic(n: number) {
  return syntheticDataset({ n, shape: [28, 28, 1], numClasses: 10, seed: 1, noise: 0.3 });
}

/**
 * The slider's evaluator over `data` (default `n` synthetic images): the |w| ranking of `model`,
 * FGSM transfer set, no white-box attack unless `over` gives one.
 */
async function benchEvaluator(
  model: Model,
  n: number,
  over: Partial<Parameters<typeof createSparsityEvaluator>[0]>,
  d: Dataset = synthetic(n),
) {
  const ranking = rankScores(model.spec, await magnitudeScores(model, 'unstructured'), {});
  return createSparsityEvaluator({
    model,
    ranking,
    data: { x: d.images, y: d.labels, shape: d.shape },
    transferAttack: { name: 'fgsm', options: { eps: 0.1 } },
    whiteBoxAttack: null,
    batchSize: EVAL_BATCH,
    ...over,
  });
}

export async function sliderMoves(
  n: number,
  moves: number,
  sweepBatch = SWEEP_BATCH,
): Promise<number[]> {
  const spec = lenetSpec();
  const model = initModel(spec, 0);
  const ev = await benchEvaluator(model, n, { sweepBatchSize: sweepBatch });
  const rng = new Rng(42);
  const ms: number[] = [];
  try {
    for (let i = 0; i <= moves; i++) {
      const t0 = performance.now();
      let at = NaN;
      const out = await ev.evaluate(rng.next() * 0.95, {
        onPartial: () => (at = performance.now()),
      });
      if (out.status !== 'done') throw new Error(`slider: unexpected ${out.status}`);
      if (i > 0) ms.push(at - t0);
    }
  } finally {
    await ev.dispose();
    disposeModel(model);
  }
  return ms;
}

/** PGD-10 L∞ at ε 0.1 (10 steps of 0.025), the benches' white-box attack. */
export const PGD10 = { eps: 0.1, steps: 10, stepSize: 0.025, restarts: 1, seed: 1 };

/** Latencies of the progressive white-box figure over a series of slider moves, ms. */
export interface ProgressiveMoves {
  /** from the call (the slider stopping) to the first white-box estimate */
  first: number[];
  /** from the call to the full attack's figure */
  full: number[];
  /** moves whose first estimate was skipped (fewer than 2·n clean-correct images) */
  noEstimate: number;
  /** mean clean-correct images per move (what the full attack runs on) */
  targets: number;
}

/**
 * Time `moves` calls of an evaluator built with `whiteBoxEstimate` (the app's settings) at
 * seeded random sparsities in [0, 0.95), after one untimed warm-up call: each call's first
 * estimate (onPartial with `estimate`) and its final figure, from the call.
 */
export async function progressiveMoves(
  ev: SparsityEvaluator,
  moves: number,
  seed = 7,
): Promise<ProgressiveMoves> {
  const rng = new Rng(seed);
  const out: ProgressiveMoves = { first: [], full: [], noEstimate: 0, targets: 0 };
  for (let i = 0; i <= moves; i++) {
    const t0 = performance.now();
    let first = NaN;
    let targets = 0;
    const res = await ev.evaluate(rng.next() * 0.95, {
      onPartial: (p) => {
        if (p.estimate && Number.isNaN(first)) {
          first = performance.now() - t0;
          targets = p.estimate.targets;
        }
      },
    });
    const full = performance.now() - t0;
    if (res.status !== 'done') throw new Error(`slider: unexpected ${res.status}`);
    if (i === 0) continue; // warm-up
    out.full.push(full);
    if (Number.isNaN(first)) out.noEstimate++;
    else out.first.push(first);
    out.targets += (targets || Math.round(res.point.clean * ev.n)) / moves;
  }
  return out;
}

/**
 * The browser's progressive white-box moves: a LeNet (seed 0) trained for `trainSteps` SGD steps
 * (lr 0.01) on synthetic 28×28×1 images of the evaluation images' distribution, disjoint from
 * them (so that most evaluation images are clean-correct, as with a real model: ~200 of 250),
 * magnitude ranking, and an evaluator with the app's settings (FGSM transfer set, PGD-10
 * white-box, attack batches of EVAL_BATCH, sweeps of SWEEP_BATCH, first estimate on
 * WHITE_BOX_FIRST_N images) on `n` synthetic images.
 */
export async function sliderWhiteBoxMoves(
  n: number,
  moves: number,
  trainSteps = 60,
): Promise<ProgressiveMoves> {
  const spec = lenetSpec();
  const model = initModel(spec, 0);
  // training and evaluation images from ONE distribution (the same class prototypes), disjoint:
  // a model trained on another seed's prototypes gets ~5% right, and the attack then has nothing
  // to do (a browser run once timed a "full figure" over 12 images)
  const all = synthetic(trainSteps * 64 + n);
  const train = subset(
    all,
    Array.from({ length: trainSteps * 64 }, (_, i) => n + i),
  );
  await trainModel(
    model,
    { train },
    {
      epochs: 1,
      batchSize: 64,
      schedule: { kind: 'constant', lr: 0.01 }, // 0.05 overshoots: ~7% right after 60 steps
      validation: { subsetSize: 0 },
    },
  );
  const ev = await benchEvaluator(
    model,
    n,
    {
      whiteBoxAttack: { name: 'pgd-linf', options: PGD10 },
      sweepBatchSize: SWEEP_BATCH,
      whiteBoxEstimate: { n: WHITE_BOX_FIRST_N },
    },
    take(all, n),
  );
  try {
    return await progressiveMoves(ev, moves);
  } finally {
    await ev.dispose();
    disposeModel(model);
  }
}
