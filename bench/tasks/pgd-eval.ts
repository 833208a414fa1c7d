/**
 * PGD-20 evaluation benchmark in Node: the runner of ./pgd-eval-core.ts on the first N
 * Fashion-MNIST test images.
 */
import type { Model } from '../../src/engine/model/types';
import { batchTensors, fashionMnist } from '../lib/data';
import { pgdEvalRunnerOn, type EvalRunner } from './pgd-eval-core';

export { PGD20, pgdEvalRunnerOn, type EvalRunner } from './pgd-eval-core';

/** Evaluate `model` (not owned) on the first `n` test images in batches of `batch`. */
export async function makePgdEvalRunner(
  model: Model,
  n: number,
  batch: number,
): Promise<EvalRunner> {
  const { test } = await fashionMnist();
  const { x, y } = batchTensors(test, 0, n);
  return pgdEvalRunnerOn(model, x, y, batch);
}
