/**
 * Random scores: the control every pruning criterion must beat ("Pruning in the face of
 * adversaries", arXiv 2108.08560, and Blalock et al. 2020, "What is the State of Neural Network
 * Pruning?", arXiv 2003.03033, both use random pruning as the baseline).
 *
 * Each weight (unstructured, kernel shape) or neuron (structured, `[out]`) gets an i.i.d. uniform
 * score in [0, 1) from a mulberry32 stream seeded with `seed` (rng.ts), drawn in prunable-layer
 * order, row-major inside a layer: same seed and spec, same scores, on every backend. Order
 * 'prune-lowest' (either order gives a uniformly random mask). Data-free and synchronous.
 */
import { prunableLayers } from '../../model/params';
import type { Model } from '../../model/types';
import { Rng } from '../../rng';
import type { Granularity, ScoreSet } from '../types';
import { ScoreInputError } from './common-errors';
import { checkGranularity, makeScoreSet, scoreShape } from './common-scoreset';

/**
 * Seeded uniform scores in [0, 1) for every prunable layer of `model` (only its spec is read).
 * `seed`: any finite number (reduced to 32 bits). Throws ScoreInputError for a bad granularity or
 * seed, SpecError for an invalid spec.
 */
export function randomScores(
  model: Pick<Model, 'spec'>,
  granularity: Granularity,
  seed: number,
): ScoreSet {
  checkGranularity(granularity);
  if (!Number.isFinite(seed)) throw new ScoreInputError('seed', `must be finite, got ${seed}`);
  const rng = new Rng(seed);
  const layers = prunableLayers(model.spec);
  const data = layers.map((l) => {
    const size = scoreShape(l, granularity).reduce((a, b) => a * b, 1);
    const s = new Float32Array(size);
    for (let i = 0; i < size; i++) s[i] = rng.next();
    return s;
  });
  return makeScoreSet('random', granularity, 'prune-lowest', layers, data, { seed });
}
