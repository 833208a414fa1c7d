/**
 * The sparsity slider's machinery: a ranking of one criterion's scores (prune/ranking.ts) and a
 * sparsity evaluator over the first `evalN` test images (eval/sparsity-evaluator.ts: the
 * transfer set crafted once on the dense model, Vora et al. 2023, arXiv 2308.08160; white-box
 * attack re-run on the masked model at each point, estimated first on WHITE_BOX_FIRST_N
 * clean-correct images and refined batch by batch).
 *
 * After `fineTunePruned` at sparsity s_ft the model's pruned weights are exactly 0 and the
 * ranking is kept (scores of the dense model, so masks stay nested): every slider position below
 * s_ft evaluates the masks at s_ft (`floor`), and the evaluator is rebuilt on the fine-tuned
 * weights (its transfer set is then crafted on the fine-tuned model).
 */
import { sliderPosition, type SliderLimits } from './slider-limits';
import type { Dataset } from '../data/dataset';
import type { AbortFlag } from '../attacks/options';
import type { Model } from '../model/types';
import {
  createSparsityEvaluator,
  type MaskSource,
  type SparsityEvaluator,
} from '../eval/sparsity-evaluator';
import type { ScoreRanking } from '../prune/ranking';
import type { PlainMasks } from '../prune/types';
import { SessionError } from './errors';
import type { ResolvedAttack } from './scoring';
import type { Criterion, Granularity, Progress } from './types';

/** Default evaluation images of the slider and of the curves. */
export const DEFAULT_EVAL_N = 1000;
/** Images per forward / attack batch of the evaluators. */
export const EVAL_BATCH = 250;
/**
 * Images per forward of the slider's clean + transfer sweep (2·evalN images, no gradients): fewer,
 * larger forwards than EVAL_BATCH; ~30 MB of activations for the LeNet, ~4× that for VGG-small.
 */
export const SWEEP_BATCH = 500;
/**
 * Clean-correct images of the white-box figure's first estimate (eval/sparsity-evaluator.ts,
 * progressive white-box): its 95% interval is at most about ±14 points, for a quarter of the
 * full attack's work when 200 of 250 images are clean-correct (1/16 at 1,000 images); the full
 * attack then refines it batch by batch.
 */
export const WHITE_BOX_FIRST_N = 50;

/** A slider's resolved settings. */
export interface SliderSettings {
  criterion: Criterion;
  granularity: Granularity;
  scope: 'global' | 'layer';
  evalN: number;
  samples: number;
  transferAttack: ResolvedAttack;
  whiteBoxAttack: ResolvedAttack | null;
}

/** Masks of `ranking` at max(sparsity, the fine-tuned floor), remembering the last one asked for. */
export function maskSource(
  ranking: ScoreRanking,
  limits: () => SliderLimits,
): MaskSource & {
  last: { sparsity: number; masks: PlainMasks } | null;
} {
  const src = {
    last: null as { sparsity: number; masks: PlainMasks } | null,
    masksAt(sparsity: number): PlainMasks {
      const s = sliderPosition(sparsity, limits()).masked;
      if (src.last?.sparsity !== s) src.last = { sparsity: s, masks: ranking.masksAt(s) };
      return src.last.masks;
    },
  };
  return src;
}

/** The first `n` images of the test set as plain evaluation data. */
export function evalData(test: Dataset, n: number) {
  if (!Number.isInteger(n) || n < 1)
    throw new SessionError(`evaluation images must be an integer ≥ 1, got ${n}`);
  const m = Math.min(n, test.labels.length);
  const size = test.shape[0] * test.shape[1] * test.shape[2];
  return { x: test.images.subarray(0, m * size), y: test.labels.subarray(0, m), shape: test.shape };
}

/** Build an evaluator for `model` and `source` (crafts the transfer set: the slow part). */
export async function buildEvaluator(
  model: Model,
  test: Dataset,
  settings: SliderSettings,
  source: MaskSource,
  whiteBox: boolean,
  signal: AbortFlag,
  onProgress?: (p: Progress) => void,
): Promise<SparsityEvaluator> {
  onProgress?.({ stage: 'transfer set', done: 0, total: 1 });
  const ev = await createSparsityEvaluator({
    model,
    ranking: source,
    data: evalData(test, settings.evalN),
    transferAttack: settings.transferAttack,
    whiteBoxAttack: whiteBox ? settings.whiteBoxAttack : null,
    batchSize: EVAL_BATCH,
    sweepBatchSize: SWEEP_BATCH,
    whiteBoxEstimate: { n: WHITE_BOX_FIRST_N },
    signal,
  });
  onProgress?.({ stage: 'transfer set', done: 1, total: 1 });
  return ev;
}
