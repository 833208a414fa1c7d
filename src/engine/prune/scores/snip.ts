/**
 * SNIP / first-order Taylor scores: the loss change a weight's or neuron's removal causes, to
 * first order.
 * - Unstructured (SNIP connection sensitivity; Lee, Ajanthan, Torr 2019, "SNIP: Single-shot
 *   Network Pruning based on Connection Sensitivity", arXiv 1810.02340):
 *     score(w) = |w · ∂L/∂w|,  L = (1/N) Σ_x CE(f(x_in), y)
 *   with the gradient of the whole scoring set (the sum of the batches' gradients, so the result
 *   does not depend on `batchSize`), taken through the masked forward pass (masked weights: 0).
 * - Structured (first-order Taylor of a neuron; Molchanov, Tyree, Karras, Aila, Kautz 2017,
 *   "Pruning Convolutional Neural Networks for Resource Efficient Inference", arXiv 1611.06440):
 *     score(j) = |(1/N) Σ_x Σ_positions a_j · ∂CE/∂a_j|
 *   the first-order loss change when neuron j's output is set to 0. It equals the group Taylor
 *   |Σ_{p ∈ group j} p · ∂L/∂p| (Molchanov et al. 2019, arXiv 1906.10771, with |·| in place of
 *   (·)²: same ranking) over the unit's kernel slice and bias, or over its BN γ_j, β_j when the
 *   layer has batch norm (ReLU keeps the identity: pre·1[pre > 0] = a). Summed (not averaged)
 *   over positions, so layers with different spatial sizes compare in a global ranking.
 * `loss`: 'clean' uses x_in = x; 'adversarial' uses x_in = x' crafted by the context's attack on
 * the masked model (robustness-aware SNIP). BN runs in inference mode. Order 'prune-lowest'.
 * Units: nats (loss change). Masked weights/neurons score exactly 0.
 */
import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy } from '../../attacks/losses';
import { forward } from '../../model/forward';
import { prunableLayers } from '../../model/params';
import type { Masks, Model } from '../../model/types';
import type { Granularity, ScoreSet } from '../types';
import { ScoreInputError } from './common-errors';
import { checkGranularity, makeScoreSet, zeroMasked } from './common-scoreset';
import { layerActivationGrads, layerActivations } from './common-signals';
import { checkScoreContext, scoringBatches, type ScoreContext, type ScoringBatch } from './context';

export interface SnipOptions {
  /** the loss differentiated: on clean x, or on adversarial x' */
  loss: 'clean' | 'adversarial';
}

function checkSnipOptions(o: SnipOptions): void {
  if (o?.loss !== 'clean' && o?.loss !== 'adversarial')
    throw new ScoreInputError('loss', `must be 'clean' or 'adversarial', got ${String(o?.loss)}`);
}

/**
 * SNIP/Taylor scores from batches (the engine of `snipScores`, exposed for precomputed inputs).
 * With `loss: 'adversarial'` every batch must carry `xAdv`. Batch tensors stay the iterable's.
 */
export async function snipFromBatches(
  model: Model,
  masks: Masks | undefined,
  granularity: Granularity,
  batches: AsyncIterable<ScoringBatch> | Iterable<ScoringBatch>,
  opts: SnipOptions,
): Promise<ScoreSet> {
  checkSnipOptions(opts);
  checkGranularity(granularity);
  const layers = prunableLayers(model.spec);
  const kernels = layers.map((l) => {
    const v = model.params.get(l.kernelName);
    if (!v) throw new ScoreInputError('model', `has no parameter '${l.kernelName}' (disposed?)`);
    return v;
  });
  const taylor = new Float64Array(layers.reduce((s, l) => s + l.neurons, 0));
  let acc: tf.Tensor[] = []; // Σ_batches ∂(Σ_b CE)/∂W, kernel shapes
  let n = 0;
  try {
    for await (const b of batches) {
      const xin = opts.loss === 'adversarial' ? b.xAdv : b.x;
      if (!xin) throw new ScoreInputError('xAdv', "is missing: loss 'adversarial' needs x'");
      if (granularity === 'unstructured') {
        const grads = tf.tidy(() => {
          const { grads: g } = tf.variableGrads(
            () => tf.sum(crossEntropy(forward(model, xin, { masks }).logits, b.y)),
            kernels,
          );
          return kernels.map((v) => g[v.name]);
        });
        const next = acc.length ? grads.map((g, i) => tf.add(acc[i], g)) : grads;
        if (acc.length) tf.dispose([...acc, ...grads]);
        acc = next;
      } else {
        const t = tf.tidy(() => {
          const a = layerActivations(model, masks, xin, layers);
          const g = layerActivationGrads(model, masks, xin, b.y, layers);
          const parts = a.map((ai, i) => {
            const p = tf.mul(ai, g[i]); // [B, H, W, C] or [B, n]
            return p.rank === 4 ? tf.sum(p, [0, 1, 2]) : tf.sum(p, 0); // [C]
          });
          return tf.concat(parts); // [Σ J]
        });
        const v = await t.data();
        t.dispose();
        for (let i = 0; i < v.length; i++) taylor[i] += v[i];
      }
      n += b.x.shape[0];
    }
    if (n === 0) throw new ScoreInputError('data', 'is empty: SNIP needs at least one sample');
    const data: Float32Array[] = [];
    let col0 = 0;
    for (const [i, l] of layers.entries()) {
      let s: Float32Array;
      if (granularity === 'unstructured') {
        const t = tf.tidy(() => tf.abs(tf.div(tf.mul(kernels[i], acc[i]), n))); // kernel shape
        s = new Float32Array(await t.data());
        t.dispose();
      } else {
        s = Float32Array.from(taylor.subarray(col0, col0 + l.neurons), (v) => Math.abs(v) / n);
        col0 += l.neurons;
      }
      await zeroMasked(l, s, granularity, masks);
      data.push(s);
    }
    return makeScoreSet('snip', granularity, 'prune-lowest', layers, data, {
      loss: opts.loss,
      samples: n,
      form: granularity === 'structured' ? '|mean_x Σ_pos a·∂L/∂a|' : '|w·∂L/∂w|',
      maskedScore: 0,
    });
  } finally {
    tf.dispose(acc);
  }
}

/**
 * SNIP (per weight) or first-order Taylor (per neuron) scores of `ctx.model` on the scoring data,
 * ≥ 0, in nats; see the file comment. Validates first (ScoreInputError, AttackOptionError);
 * cancel with `ctx.signal` ('AbortError'). The attack runs only for `loss: 'adversarial'`.
 */
export async function snipScores(ctx: ScoreContext, opts: SnipOptions): Promise<ScoreSet> {
  checkSnipOptions(opts);
  checkScoreContext(ctx);
  const t0 = performance.now();
  const set = await snipFromBatches(
    ctx.model,
    ctx.masks,
    ctx.granularity,
    scoringBatches(ctx, opts.loss === 'adversarial'),
    opts,
  );
  set.meta.seconds = (performance.now() - t0) / 1000;
  if (opts.loss === 'adversarial') set.meta.attack = ctx.attack.name;
  return set;
}
