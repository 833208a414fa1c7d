/**
 * Magnitude scores, the classic pruning baseline.
 * - Unstructured: |w| per weight (Han, Pool, Tran, Dally 2015, "Learning both Weights and
 *   Connections for Efficient Neural Networks", arXiv 1506.02626).
 * - Structured: the L1 norm of a neuron's kernel slice, Σ_{kh,kw,cin} |W[kh, kw, cin, j]| for a
 *   conv filter or Σ_i |W[i, j]| for a dense unit, bias and BN excluded (Li, Kadav, Durdanovic,
 *   Samet, Graf 2017, "Pruning Filters for Efficient ConvNets", arXiv 1608.08710).
 * Order 'prune-lowest'. Data-free. With `masks`, removed weights/neurons score exactly 0 (the
 * weights themselves are left as they are). Units: the kernel's own (weights are unitless).
 */
import type { Masks, Model } from '../../model/types';
import { checkMasks } from '../../model/masks';
import { prunableLayers } from '../../model/params';
import type { Granularity, ScoreSet } from '../types';
import { ScoreInputError } from './common-errors';
import { checkGranularity, makeScoreSet, zeroMasked } from './common-scoreset';

/**
 * |w| (kernel shape) or per-neuron L1 norms (`[out]`) of every prunable layer of `model`, in
 * prunable-layer order; all ≥ 0. Throws ScoreInputError for a bad granularity or a disposed model,
 * ModelInputError for bad masks.
 */
export async function magnitudeScores(
  model: Model,
  granularity: Granularity,
  opts: { masks?: Masks } = {},
): Promise<ScoreSet> {
  checkGranularity(granularity);
  const layers = prunableLayers(model.spec);
  checkMasks(layers, opts.masks);
  const data: Float32Array[] = [];
  for (const l of layers) {
    const kernel = model.params.get(l.kernelName);
    if (!kernel)
      throw new ScoreInputError('model', `has no parameter '${l.kernelName}' (disposed?)`);
    const w = await kernel.data(); // kernel shape, neuron = last axis
    let s: Float32Array;
    if (granularity === 'unstructured') {
      s = Float32Array.from(w, Math.abs);
    } else {
      const acc = new Float64Array(l.neurons);
      for (let k = 0; k < w.length; k++) acc[k % l.neurons] += Math.abs(w[k]);
      s = Float32Array.from(acc);
    }
    await zeroMasked(l, s, granularity, opts.masks);
    data.push(s);
  }
  return makeScoreSet('magnitude', granularity, 'prune-lowest', layers, data, {
    norm: granularity === 'structured' ? 'L1 of the kernel slice' : '|w|',
    maskedScore: 0,
  });
}
