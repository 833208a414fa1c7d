/**
 * The browser-safe slider benchmark (no Node APIs, no dataset files): a LeNet with seed-0 initial
 * weights, magnitude scores |w| (Han et al. 2015, arXiv 1506.02626) ranked globally once, and a
 * sparsity evaluator (src/engine/eval/sparsity-evaluator.ts) on `n` synthetic 28×28×1 images
 * (src/engine/data/synthetic.ts): transfer set by FGSM ε 0.1 crafted once, no white-box phase.
 * Times `moves` calls at seeded random sparsities in [0, 0.95) after one warm-up call, from the
 * call to the partial point: masks, one [clean; transfer] sweep in batches of `sweepBatch`, one
 * read. The forward work per move does not depend on the weights' values or on the labels, so
 * it equals the Node bench's (bench/tasks/slider.ts, a trained LeNet on Fashion-MNIST). Units: ms.
 */
import { syntheticDataset } from '../../src/engine/data/synthetic';
import { createSparsityEvaluator } from '../../src/engine/eval/sparsity-evaluator';
import { disposeModel, initModel } from '../../src/engine/model/init';
import { lenetSpec } from '../../src/engine/model/spec';
import { rankScores } from '../../src/engine/prune/ranking';
import { magnitudeScores } from '../../src/engine/prune/scores/magnitude';
import { Rng } from '../../src/engine/rng';
import { EVAL_BATCH, SWEEP_BATCH } from '../../src/engine/session/slider';

/** Clean + transfer latencies of `moves` slider moves, ms (the warm-up call excluded). */
export async function sliderMoves(
  n: number,
  moves: number,
  sweepBatch = SWEEP_BATCH,
): Promise<number[]> {
  const spec = lenetSpec();
  const model = initModel(spec, 0);
  const ranking = rankScores(spec, await magnitudeScores(model, 'unstructured'), {});
  const d = syntheticDataset({ n, shape: [28, 28, 1], numClasses: 10, seed: 1, noise: 0.3 });
  const ev = await createSparsityEvaluator({
    model,
    ranking,
    data: { x: d.images, y: d.labels, shape: d.shape },
    transferAttack: { name: 'fgsm', options: { eps: 0.1 } },
    whiteBoxAttack: null,
    batchSize: EVAL_BATCH,
    sweepBatchSize: sweepBatch,
  });
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
