/**
 * Anomaly-scoring benchmark: `anomalyScores` (src/engine/prune/scores/anomaly.ts, activation
 * form, relative measure, structured: one score per neuron) on N Fashion-MNIST test images,
 * x' crafted by PGD-10 L∞ (ε 0.1, 10 steps of 0.025, random start) on the model, in one batch of
 * N. One call = upload, attack, two tapped forwards (clean and adversarial), per-neuron means,
 * the read-back and the CPU-side degree computation.
 */
import { anomalyScores } from '../../src/engine/prune/scores/anomaly';
import type { Model } from '../../src/engine/model/types';
import { fashionMnist } from '../lib/data';

export const PGD10 = {
  eps: 0.1,
  steps: 10,
  stepSize: 0.025,
  restarts: 1,
  randomStart: true,
  seed: 1,
};

/** A function that scores `model` (not owned) once on the first `n` test images. */
export async function makeAnomalyRunner(model: Model, n: number): Promise<() => Promise<void>> {
  const { test } = await fashionMnist();
  const size = 28 * 28;
  const data = {
    x: test.images.slice(0, n * size),
    y: test.labels.slice(0, n),
    shape: [28, 28, 1] as [number, number, number],
  };
  return async () => {
    await anomalyScores(
      {
        model,
        data,
        attack: { name: 'pgd-linf', options: PGD10 },
        granularity: 'structured',
        batchSize: n,
        seed: 1,
      },
      { form: 'activation' },
    );
  };
}
