/**
 * The dashboard's looking views, as plain data: one test image's activations clean beside
 * adversarial with each neuron's anomaly degree (Neurons), weight and score histograms before and
 * after pruning (Distributions), and adversarial examples with the dense and the pruned model's
 * predictions (Adversarial examples).
 *
 * Adversarial inputs are crafted on the DENSE model (white-box, BN in inference mode); the pruned
 * model (the same weights under the current masks) is then run on the same x'. Per-image anomaly
 * degree (thesis, SCUT; RESEARCH.md §1): A_j = |s_j(x') − s_j(x)| / (|s_j(x)| + δ) with s_j the
 * neuron's activation (a conv channel averaged over its positions) and δ = 0.01 · the layer's mean
 * |s(x)| (prune/scores/common-anomaly.ts `anomalyDegree`, one sample).
 */
import * as tf from '@tensorflow/tfjs-core';
import { getAttack } from '../attacks/registry';
import type { AbortFlag } from '../attacks/options';
import type { Dataset } from '../data/dataset';
import { forward, logitsFn } from '../model/forward';
import { prunableLayers } from '../model/params';
import type { PrunableLayer } from '../model/plan';
import type { Masks, Model } from '../model/types';
import { disposeMasks, toTensorMasks } from '../prune/masks';
import { anomalyDegree } from '../prune/scores/common-anomaly';
import type { PlainMasks, ScoreSet } from '../prune/types';
import { finiteRange, histogram, scoreHistogram } from './histogram';
import type { ResolvedAttack } from './scoring';
import type {
  AdversarialExample,
  LayerActivations,
  LayerDistribution,
  NeuronView,
  ScoreHistogram,
} from './types';

/** Most images `adversarialExamples` returns at once. */
export const MAX_EXAMPLES = 256;
const ATTACK_BATCH = 128;

/** Per-neuron 1 where a mask removes the neuron (structured) or every weight feeding it. */
export function removedNeurons(layer: PrunableLayer, masks: PlainMasks | null): Uint8Array {
  const out = new Uint8Array(layer.neurons);
  const m = masks?.get(layer.kernelName);
  if (!m) return out;
  if (m.shape.length === 1) {
    for (let j = 0; j < out.length; j++) out[j] = m.data[j] === 0 ? 1 : 0;
    return out;
  }
  out.fill(1);
  for (let i = 0; i < m.data.length; i++) if (m.data[i] !== 0) out[i % layer.neurons] = 0;
  return out;
}

/** A layer's scores per neuron: structured as is, unstructured the mean over its weights. */
export function neuronScores(layer: PrunableLayer, set: ScoreSet | null): Float32Array | null {
  const s = set?.layers.get(layer.kernelName);
  if (!s) return null;
  if (s.shape.length === 1) return Float32Array.from(s.data);
  // mean over the neuron's finite scores (the dead rule's ±∞ entries are shown as dead units)
  const sum = new Float64Array(layer.neurons);
  const count = new Uint32Array(layer.neurons);
  for (let i = 0; i < s.data.length; i++)
    if (Number.isFinite(s.data[i])) {
      sum[i % layer.neurons] += s.data[i];
      count[i % layer.neurons]++;
    }
  return Float32Array.from(sum, (v, j) => (count[j] > 0 ? v / count[j] : 0));
}

/** HWC → CHW (conv maps), or a copy (dense). */
function toMaps(layer: PrunableLayer, v: Float32Array): Float32Array {
  if (layer.kind === 'dense') return Float32Array.from(v);
  const [h, w, c] = layer.outShape;
  const out = new Float32Array(v.length);
  for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) out[k * h * w + p] = v[p * c + k];
  return out;
}

function neuronMeans(layer: PrunableLayer, v: Float32Array): Float32Array {
  const n = layer.neurons;
  const sum = new Float32Array(n);
  for (let i = 0; i < v.length; i++) sum[i % n] += v[i];
  const per = v.length / n;
  return sum.map((s) => s / per);
}

function sample(test: Dataset, from: number, count: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const [h, w, c] = test.shape;
  const size = h * w * c;
  const x = tf.tensor4d(test.images.slice(from * size, (from + count) * size), [count, h, w, c]); // [B, H, W, C]
  const y = tf.tensor1d(test.labels.slice(from, from + count), 'int32'); // [B]
  return { x, y };
}

async function craft(
  model: Model,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  attack: ResolvedAttack,
  signal: AbortFlag,
): Promise<tf.Tensor4D> {
  return getAttack(attack.name).run(logitsFn(model), x, y, { ...attack.options, signal }); // [B, H, W, C]
}

/** Activations, anomaly and removed flags of every prunable layer for test image `index`. */
export async function neuronView(
  model: Model,
  test: Dataset,
  index: number,
  attack: ResolvedAttack,
  masks: PlainMasks | null,
  scores: ScoreSet | null,
  signal: AbortFlag,
): Promise<NeuronView> {
  const layers = prunableLayers(model.spec);
  const { x, y } = sample(test, index, 1);
  let xAdv: tf.Tensor4D | null = null;
  const tm: Masks | undefined = masks ? toTensorMasks(masks) : undefined;
  try {
    xAdv = await craft(model, x, y, attack, signal);
    const adv = xAdv;
    const outs = tf.tidy(() => {
      const c = forward(model, x, { tap: true });
      const a = forward(model, adv, { tap: true });
      const list: tf.Tensor[] = [
        tf.argMax(c.logits, 1), // [1]
        tf.argMax(a.logits, 1), // [1]
        tf.argMax(forward(model, x, { masks: tm }).logits, 1), // [1]
        tf.argMax(forward(model, adv, { masks: tm }).logits, 1), // [1]
      ];
      for (const l of layers)
        list.push(c.taps.get(l.name) as tf.Tensor, a.taps.get(l.name) as tf.Tensor);
      return list;
    });
    const vals: Float32Array[] = [];
    for (const t of outs) vals.push(Float32Array.from(await t.data()));
    tf.dispose(outs);
    const image = Float32Array.from(await x.data()); // [H, W, C]
    const adversarialImage = Float32Array.from(await adv.data()); // [H, W, C]
    const acts: LayerActivations[] = layers.map((l, i) => {
      const clean = vals[4 + 2 * i];
      const adversarial = vals[5 + 2 * i];
      const j = l.neurons;
      return {
        layer: l.name,
        kind: l.kind,
        shape: l.kind === 'dense' ? [j] : [j, l.outShape[0], l.outShape[1]],
        clean: toMaps(l, clean),
        adversarial: toMaps(l, adversarial),
        anomaly: anomalyDegree(neuronMeans(l, clean), neuronMeans(l, adversarial), 1, j, 0, j, {
          measure: 'relative',
          delta: 0.01,
          deltaMode: 'layer',
        }),
        scores: neuronScores(l, scores),
        removed: removedNeurons(l, masks),
        dead: scores?.deadUnits?.get(l.kernelName)
          ? Uint8Array.from(scores.deadUnits.get(l.kernelName) as Uint8Array)
          : null,
      };
    });
    return {
      index,
      label: test.labels[index],
      cleanPred: vals[0][0],
      advPred: vals[1][0],
      prunedCleanPred: vals[2][0],
      prunedAdvPred: vals[3][0],
      attack: { name: attack.name, options: { ...attack.options } },
      image,
      adversarialImage,
      layers: acts,
    };
  } finally {
    tf.dispose([x, y]);
    xAdv?.dispose();
    if (tm) disposeMasks(tm);
  }
}

/**
 * Weight histograms of every prunable layer before and after the masks (linear, signed, over the
 * layer's range), and score histograms per layer and over all layers (`scoreHistogram`: log-spaced
 * for heavy-tailed scores, with zeros and the dead rule's ±∞ counted apart).
 */
export async function distributions(
  model: Model,
  masks: PlainMasks | null,
  scores: ScoreSet | null,
  bins: number,
): Promise<{ layers: LayerDistribution[]; scores: ScoreHistogram | null }> {
  const out: LayerDistribution[] = [];
  const parts: Float32Array[] = [];
  for (const l of prunableLayers(model.spec)) {
    const w = await (model.params.get(l.kernelName) as tf.Variable).data();
    const m = masks?.get(l.kernelName);
    const keep = new Uint8Array(w.length).fill(1);
    if (m && m.shape.length === 1)
      for (let i = 0; i < w.length; i++) keep[i] = m.data[i % l.neurons] === 0 ? 0 : 1;
    else if (m) for (let i = 0; i < w.length; i++) keep[i] = m.data[i] === 0 ? 0 : 1;
    const range = finiteRange(w);
    const s = scores?.layers.get(l.kernelName);
    if (s) parts.push(s.data);
    out.push({
      layer: l.name,
      kernelName: l.kernelName,
      before: histogram(w, bins, range),
      after: histogram(w, bins, range, keep),
      pruned: keep.reduce((a, k) => a + (k === 0 ? 1 : 0), 0),
      scores: s ? scoreHistogram(s.data, bins) : null,
    });
  }
  if (!scores) return { layers: out, scores: null };
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return { layers: out, scores: scoreHistogram(all, bins) };
}

/** The first `count` test images, attacked on the dense model, with dense and pruned predictions. */
export async function adversarialExamples(
  model: Model,
  test: Dataset,
  count: number,
  attack: ResolvedAttack,
  masks: PlainMasks | null,
  signal: AbortFlag,
): Promise<AdversarialExample[]> {
  const size = test.shape[0] * test.shape[1] * test.shape[2];
  const out: AdversarialExample[] = [];
  const tm: Masks | undefined = masks ? toTensorMasks(masks) : undefined;
  try {
    for (let from = 0; from < count; from += ATTACK_BATCH) {
      const b = Math.min(ATTACK_BATCH, count - from);
      const { x, y } = sample(test, from, b);
      let xAdv: tf.Tensor4D | null = null;
      try {
        xAdv = await craft(model, x, y, attack, signal);
        const adv = xAdv;
        const outs = tf.tidy(() => [
          tf.argMax(forward(model, x).logits, 1), // [B]
          tf.argMax(forward(model, x, { masks: tm }).logits, 1), // [B]
          tf.argMax(forward(model, adv).logits, 1), // [B]
          tf.argMax(forward(model, adv, { masks: tm }).logits, 1), // [B]
          tf.max(tf.abs(tf.sub(adv, x)), [1, 2, 3]), // [B]
        ]);
        const [dp, pp, dap, pap, linf] = await Promise.all(outs.map((t) => t.data()));
        tf.dispose(outs);
        const advPixels = await adv.data();
        for (let k = 0; k < b; k++) {
          const i = from + k;
          out.push({
            index: i,
            label: test.labels[i],
            clean: test.images.slice(i * size, (i + 1) * size),
            adversarial: Float32Array.from(advPixels.subarray(k * size, (k + 1) * size)),
            densePred: dp[k],
            prunedPred: pp[k],
            denseAdvPred: dap[k],
            prunedAdvPred: pap[k],
            linf: linf[k],
          });
        }
      } finally {
        tf.dispose([x, y]);
        xAdv?.dispose();
      }
    }
    return out;
  } finally {
    if (tm) disposeMasks(tm);
  }
}
