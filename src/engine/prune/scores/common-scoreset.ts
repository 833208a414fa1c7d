/**
 * Building blocks shared by the score criteria: the score shape of a prunable layer under a
 * granularity, ScoreSet assembly in the model's prunable-layer order, and the masking rule every
 * criterion follows (a weight or neuron that `masks` already removes scores exactly 0).
 *
 * Shapes: unstructured scores have the kernel's shape (HWIO `[k, k, Cin, Cout]` for conv,
 * `[in, out]` for dense, row-major, so the output neuron is the last, fastest axis); structured
 * scores have shape `[out]`.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { PrunableLayer } from '../../model/plan';
import type { Masks } from '../../model/types';
import type { Granularity, LayerScores, PruneOrder, ScoreSet } from '../types';
import { ScoreInputError } from './common-errors';

/** Check a granularity value coming from plain data; throws ScoreInputError. */
export function checkGranularity(g: unknown): Granularity {
  if (g !== 'unstructured' && g !== 'structured')
    throw new ScoreInputError(
      'granularity',
      `must be 'unstructured' or 'structured', got ${String(g)}`,
    );
  return g;
}

/** Number of scores of `layer`: kernel size (unstructured) or neurons (structured). */
export function scoreShape(layer: PrunableLayer, granularity: Granularity): number[] {
  return granularity === 'structured' ? [layer.neurons] : [...layer.kernelShape];
}

/** Assemble a ScoreSet; `data[i]` belongs to `layers[i]` and must match its score shape. */
export function makeScoreSet(
  method: string,
  granularity: Granularity,
  order: PruneOrder,
  layers: readonly PrunableLayer[],
  data: readonly Float32Array[],
  meta: ScoreSet['meta'],
): ScoreSet {
  const out = new Map<string, LayerScores>();
  layers.forEach((l, i) => {
    const shape = scoreShape(l, granularity);
    const d = data[i];
    if (d.length !== shape.reduce((a, b) => a * b, 1))
      throw new Error(`internal: ${method} scores of '${l.name}' have ${d.length} values`);
    out.set(l.kernelName, { kernelName: l.kernelName, layer: l.name, shape, data: d });
  });
  return { method, granularity, order, layers: out, meta };
}

/**
 * Set to exactly 0 the scores of what `mask` removes, in place. Structured scores `[out]`: a
 * neuron whose `[out]` mask entry is 0, or whose full-shape mask column is all 0. Unstructured
 * scores (kernel shape): a weight whose full-shape mask entry is 0, or whose neuron's `[out]`
 * mask entry is 0.
 */
export async function zeroMasked(
  layer: PrunableLayer,
  scores: Float32Array,
  granularity: Granularity,
  masks: Masks | undefined,
): Promise<void> {
  const mask: tf.Tensor | undefined = masks?.get(layer.kernelName);
  if (!mask) return;
  const m = await mask.data();
  const out = layer.neurons;
  const perNeuron = mask.rank === 1;
  if (granularity === 'unstructured') {
    for (let k = 0; k < scores.length; k++)
      if ((perNeuron ? m[k % out] : m[k]) === 0) scores[k] = 0;
    return;
  }
  for (let j = 0; j < out; j++) {
    let alive = false;
    if (perNeuron) alive = m[j] !== 0;
    else for (let k = j; k < m.length && !alive; k += out) alive = m[k] !== 0;
    if (!alive) scores[j] = 0;
  }
}
