/**
 * Validation metrics of the training loop: clean accuracy and PGD-L∞ accuracy on the first
 * `subsetSize` samples of a dataset, in inference BN mode with the masks applied. Delegates to the
 * evaluation module (eval/robustness.ts: PGD runs on the clean-correct samples, budget-checked).
 * Deterministic for a given `seed`, so a resumed run reproduces its validation numbers.
 */
import type { AbortFlag } from '../attacks/options';
import { datasetSize, imageSize, type Dataset } from '../data/dataset';
import { evaluateRobustness } from '../eval/robustness';
import { logitsFn } from '../model/forward';
import type { Masks, Model } from '../model/types';
import type { ValidationConfig } from './config';

/**
 * Clean and PGD accuracy, each in [0, 1], over the first min(subsetSize, N) samples (≥ 1).
 * @param seed seed of the PGD random starts, an integer in [0, 2³²)
 * @throws an error named 'AbortError' when `signal.aborted` is set
 */
export async function validationAccuracy(
  model: Model,
  masks: Masks | undefined,
  ds: Dataset,
  cfg: ValidationConfig,
  seed: number,
  signal?: AbortFlag,
): Promise<{ clean: number; adv: number }> {
  const n = Math.min(cfg.subsetSize, datasetSize(ds));
  const r = await evaluateRobustness(
    logitsFn(model, { masks }),
    {
      x: ds.images.subarray(0, n * imageSize(ds.shape)),
      y: ds.labels.subarray(0, n),
      shape: ds.shape,
    },
    [
      {
        name: 'pgd-linf',
        options: {
          eps: cfg.eps,
          steps: cfg.steps,
          stepSize: cfg.stepSize,
          restarts: cfg.restarts,
          randomStart: true,
          seed,
        },
      },
    ],
    { batchSize: cfg.batchSize, signal },
  );
  return { clean: r.cleanAccuracy, adv: r.perAttack[0].robustAccuracy };
}
