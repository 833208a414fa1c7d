/**
 * PGD-20 evaluation benchmark: robust accuracy of a model under PGD-L∞ (Madry et al. 2018,
 * arXiv 1706.06083; src/engine/attacks/pgd.ts) with ε 0.1, 20 steps of 0.025 (ε/4), one random
 * start, on N Fashion-MNIST test images in batches of B: per batch the attack, one forward of x'
 * and a count of correct predictions; one read of the total at the end (the sync).
 * Every sample is attacked (not only the clean-correct ones) so the work does not depend on the
 * model's accuracy and matches the PyTorch reference sample for sample.
 * The images sit on the device before the timer starts. Shapes: x `[N, 28, 28, 1]`, y `[N]`.
 * Browser-safe (no Node APIs): the Node loader of Fashion-MNIST is ./pgd-eval.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { pgdLinf } from '../../src/engine/attacks/pgd';
import { logitsFn } from '../../src/engine/model/forward';
import type { Model } from '../../src/engine/model/types';

export const PGD20 = { eps: 0.1, steps: 20, stepSize: 0.025, restarts: 1, randomStart: true };

export interface EvalRunner {
  /** one full evaluation; resolves to the robust accuracy in [0, 1] */
  run(): Promise<number>;
  dispose(): void;
}

/**
 * Evaluate `model` (not owned) on x `[n, H, W, C]`, y `[n]` (owned by the
 * runner from now on) in batches of `batch`.
 */
export function pgdEvalRunnerOn(
  model: Model,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  batch: number,
): EvalRunner {
  const n = x.shape[0];
  const f = logitsFn(model);
  return {
    async run() {
      let correct = tf.scalar(0, 'int32');
      for (let s = 0; s < n; s += batch) {
        const b = Math.min(batch, n - s);
        const xb = tf.slice(x, [s, 0, 0, 0], [b, -1, -1, -1]); // [b, H, W, C]
        const yb = tf.slice(y, [s], [b]); // [b]
        const adv = await pgdLinf(f, xb, yb, { ...PGD20, seed: s });
        const next = tf.tidy(
          () =>
            tf.add(
              correct,
              tf.sum(tf.cast(tf.equal(tf.argMax(f(adv), 1), yb), 'int32')),
            ) as tf.Scalar,
        );
        tf.dispose([xb, yb, adv, correct]);
        correct = next;
      }
      const c = (await correct.data())[0];
      correct.dispose();
      return c / n;
    },
    dispose() {
      tf.dispose([x, y]);
    },
  };
}
