/**
 * Anomaly degree of neurons under adversarial attack (thesis, South China University of
 * Technology: "adversarial pruning by anomaly degree"). Closest published analogues: ANP-VS's
 * vulnerability v = E|z(x) − z(x')| (Madaan, Shin, Hwang, ICML 2020, arXiv 1908.04355) and
 * neuron sensitivity (Zhang et al., IEEE TIP 2021, arXiv 1909.06978).
 *
 * Per neuron j of every prunable layer (a dense unit, or a conv channel), over the N scoring
 * samples x and their adversarial versions x' (crafted by the context's attack on the masked
 * model):
 *   s_j(x)  = a_j(x) (form 'activation') or g_j(x) = ∂CE(f(x), y)/∂a_j (form 'gradient'); for a
 *             conv channel, the per-sample mean over its H×W positions, taken BEFORE the ratio
 *             (the signed mean: for g it is ∂L/∂(a uniform shift of the channel) / (H·W))
 *   relative (default): A_j = (1/N) Σ_x |s_j(x') − s_j(x)| / (|s_j(x)| + δ_l)
 *   absolute (ANP-VS):  A_j = (1/N) Σ_x |s_j(x') − s_j(x)|
 *   δ_l = delta · mean_{x, j∈l} |s_j(x)| (deltaMode 'layer', default; delta 0.01: scale-free, so
 *         a global ranking across layers is not decided by each layer's activation scale), or
 *         δ_l = delta (deltaMode 'absolute'); floored at 1e-12 so scores stay finite.
 * Two variants (option `variant`):
 * - 'tempered' (default): a keep-score, order 'prune-lowest', with the dead-unit rule (dead.ts)
 *     unstructured  k(w_ij) = |w_ij| · p_j^α      structured  k_j = ‖W_·j‖₁ · p_j^α
 *   p_j = the within-layer percentile of LOW anomaly A_j over the layer's live units (1 for the
 *   least anomalous, 1/n for the most; common-anomaly.ts `lowAnomalyPercentile`). Percentile ranks
 *   are scale-free, so the anomaly reorders weights inside a layer without equalising layer
 *   sparsity; α = 0 is dead-aware magnitude exactly (Han et al. 2015, arXiv 1506.02626); α < 0
 *   tests the opposite hypothesis. Default α: DEFAULT_ALPHA (docs/experiments.md, study 2).
 * - 'naive': the first definition, kept as the negative result: per neuron A_j, per weight
 *     score(w_ij) = (A_j / Ā_l) · (c_i / c̄_l) / (|w_ij| / |w|‾_l + ε),   ε = 1e-8 (WEIGHT_EPS)
 *     c_i = (1/N) Σ_x mean_positions |in_i(x') − in_i(x)|  (the layer input's change)
 *   order 'prune-highest', dead rule off. Dead units (A = 0/δ = 0) are the least anomalous, so it
 *   keeps them and removes the live ones: the model collapses to one class at ≥ 50% (LeNet), and
 *   the layer means equalise layer sparsity (docs/pruning-scores.md says why).
 * Masked weights/neurons (already removed) score exactly 0.
 *
 * Cost: per batch one attack, two forward passes (plus two backward for 'gradient', two more
 * forwards for per-weight). Memory: 8·N·(Σ neurons) bytes of per-sample signals on the CPU side.
 */
import * as tf from '@tensorflow/tfjs-core';
import { prunableLayers } from '../../model/params';
import type { PrunableLayer } from '../../model/plan';
import type { Masks, Model } from '../../model/types';
import type { Granularity, ScoreSet } from '../types';
import {
  anomalyDegree,
  anomalyWeightScores,
  checkAnomalyOptions,
  temperedKeepScores,
  type AnomalyOptions,
  type PlainLayerMask,
} from './common-anomaly';
import { applyDeadRule, deadSummary, DeadCounter } from './dead';
import { ScoreInputError } from './common-errors';
import { checkGranularity, makeScoreSet, zeroMasked } from './common-scoreset';
import {
  channelMean,
  inputChangeSums,
  layerActivationGrads,
  layerActivations,
} from './common-signals';
import { checkScoreContext, scoringBatches, type ScoreContext, type ScoringBatch } from './context';

export {
  ANOMALY_DEFAULTS,
  DEFAULT_ALPHA,
  lowAnomalyPercentile,
  temperedKeepScores,
  DELTA_FLOOR,
  WEIGHT_EPS,
  anomalyDegree,
  anomalyWeightScores,
  checkAnomalyOptions,
  type AnomalyOptions,
  type PlainLayerMask,
} from './common-anomaly';

/** Per-sample neuron signals of one batch, all layers concatenated: `[B, Σ neurons]`. */
function signals(
  model: Model,
  masks: Masks | undefined,
  layers: readonly PrunableLayer[],
  form: 'activation' | 'gradient',
  x: tf.Tensor4D,
  y: tf.Tensor1D,
): tf.Tensor2D {
  return tf.tidy(() => {
    const full =
      form === 'activation'
        ? layerActivations(model, masks, x, layers)
        : layerActivationGrads(model, masks, x, y, layers);
    return tf.concat(full.map(channelMean), 1) as tf.Tensor2D; // [B, Σ J]
  });
}

async function consume(t: tf.Tensor): Promise<Float32Array> {
  try {
    return new Float32Array(await t.data());
  } finally {
    t.dispose();
  }
}

function concatChunks(chunks: Float32Array[]): Float32Array {
  const out = new Float32Array(chunks.reduce((s, c) => s + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

async function plainMask(
  masks: Masks | undefined,
  l: PrunableLayer,
): Promise<PlainLayerMask | undefined> {
  const m = masks?.get(l.kernelName);
  return m ? { data: await m.data(), perNeuron: m.rank === 1 } : undefined;
}

/**
 * Anomaly scores from batches that carry x' (`xAdv`): the engine of `anomalyScores`, exposed so
 * tests and callers can supply hand-chosen or precomputed adversarial inputs. `opts` as in
 * anomalyScores; the batch tensors stay owned by the iterable.
 */
export async function anomalyFromBatches(
  model: Model,
  masks: Masks | undefined,
  granularity: Granularity,
  batches: AsyncIterable<ScoringBatch> | Iterable<ScoringBatch>,
  opts: AnomalyOptions,
): Promise<ScoreSet> {
  const o = checkAnomalyOptions(opts);
  checkGranularity(granularity);
  const layers = prunableLayers(model.spec);
  const cols = layers.reduce((s, l) => s + l.neurons, 0);
  const inDims = layers.map((l) => l.kernelShape[l.kernelShape.length - 2]);
  const perWeight = granularity === 'unstructured';
  const tempered = o.variant === 'tempered';
  const needChange = perWeight && !tempered; // c_i: the naive per-weight form only
  const deadCounter = new DeadCounter(model, masks);
  const cleanChunks: Float32Array[] = [];
  const advChunks: Float32Array[] = [];
  const change = new Float64Array(inDims.reduce((a, b) => a + b, 0));
  let n = 0;
  for await (const b of batches) {
    if (!b.xAdv) throw new ScoreInputError('xAdv', 'is missing: anomaly needs adversarial inputs');
    cleanChunks.push(await consume(signals(model, masks, layers, o.form, b.x, b.y)));
    advChunks.push(await consume(signals(model, masks, layers, o.form, b.xAdv, b.y)));
    await deadCounter.add(b.x);
    await deadCounter.add(b.xAdv);
    if (needChange) {
      const xAdv = b.xAdv;
      const c = await consume(tf.tidy(() => inputChangeSums(model, masks, b.x, xAdv, layers)));
      for (let i = 0; i < c.length; i++) change[i] += c[i];
    }
    n += b.x.shape[0];
  }
  if (n === 0) throw new ScoreInputError('data', 'is empty: anomaly needs at least one sample');
  const clean = concatChunks(cleanChunks);
  const adv = concatChunks(advChunks);
  const dead = deadCounter.result();
  const data: Float32Array[] = [];
  let col0 = 0;
  let in0 = 0;
  for (const [li, l] of layers.entries()) {
    const a = anomalyDegree(clean, adv, n, cols, col0, l.neurons, o);
    col0 += l.neurons;
    const inDim = inDims[li];
    const c = change.subarray(in0, in0 + inDim); // Σ_x, the 1/N cancels in c_i / c̄ and ranks
    in0 += inDim;
    let scores = a;
    if (tempered || perWeight) {
      const kernel = model.params.get(l.kernelName);
      if (!kernel) throw new ScoreInputError('model', `has no parameter '${l.kernelName}'`);
      const w = await kernel.data();
      const mask = await plainMask(masks, l);
      scores = tempered
        ? temperedKeepScores(
            a,
            w,
            l.neurons,
            o.alpha,
            !perWeight,
            mask,
            dead.units.get(l.kernelName),
          )
        : anomalyWeightScores(a, c, w, l.neurons, inDim, mask);
    }
    await zeroMasked(l, scores, granularity, masks);
    data.push(scores);
  }
  const set = makeScoreSet(`anomaly-${o.form}`, granularity, o.order, layers, data, {
    form: o.form,
    measure: o.measure,
    delta: o.delta,
    deltaMode: o.deltaMode,
    variant: o.variant,
    samples: n,
    maskedScore: 0,
    perWeight: tempered
      ? granularity === 'unstructured'
        ? `|w_ij|·p(A_j)^α, α = ${o.alpha}`
        : `L1(w_j)·p(A_j)^α, α = ${o.alpha}`
      : granularity === 'unstructured'
        ? '(A_j/Ā)·(c_i/c̄)/(|w_ij|/mean|w| + 1e-8)'
        : 'A_j',
    ...(tempered ? { alpha: o.alpha } : {}),
    dead: o.dead,
    deadUnits: deadSummary(model.spec, dead),
  });
  set.deadUnits = new Map([...dead.units].map(([k, v]) => [k, Uint8Array.from(v)]));
  return o.dead === 'first' ? applyDeadRule(model.spec, set, dead) : set;
}

/**
 * Anomaly degree scores of `ctx.model` (see the file comment for formulas and defaults), one per
 * neuron (structured) or per weight (unstructured). Options and context are validated before any
 * work (ScoreInputError, AttackOptionError); cancel with `ctx.signal` ('AbortError').
 */
export async function anomalyScores(ctx: ScoreContext, opts: AnomalyOptions): Promise<ScoreSet> {
  checkAnomalyOptions(opts);
  checkScoreContext(ctx);
  const t0 = performance.now();
  const set = await anomalyFromBatches(
    ctx.model,
    ctx.masks,
    ctx.granularity,
    scoringBatches(ctx, true),
    opts,
  );
  set.meta.attack = ctx.attack.name;
  set.meta.attackOptions = JSON.stringify(ctx.attack.options);
  set.meta.seconds = (performance.now() - t0) / 1000;
  return set;
}
