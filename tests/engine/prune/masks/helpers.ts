/**
 * Fixtures of the mask tests: ScoreSets built directly as plain data (no scorer needed), tiny
 * specs, a brute-force ranking check and models with random (non-trivial) weights and BN stats.
 */
import type { ModelSpec } from '@/engine/model/spec';
import { getWeights, initModel, setWeights } from '@/engine/model/init';
import { prunableLayers } from '@/engine/model/params';
import type { Model } from '@/engine/model/types';
import type { PrunableLayer } from '@/engine/model/params';
import type { Granularity, LayerScores, PruneOrder, ScoreSet } from '@/engine/prune/types';
import { Rng } from '@/engine/rng';

export { expectNoLeak } from '../../model/helpers';

/** A score set with `value(layer, i)` for every prunable layer (also the head). */
export function makeScores(
  spec: ModelSpec,
  granularity: Granularity,
  order: PruneOrder,
  value: (layer: PrunableLayer, i: number) => number,
): ScoreSet {
  const layers = new Map<string, LayerScores>();
  for (const l of prunableLayers(spec)) {
    const shape = granularity === 'structured' ? [l.neurons] : [...l.kernelShape];
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = value(l, i);
    layers.set(l.kernelName, { kernelName: l.kernelName, layer: l.name, shape, data });
  }
  return { method: 'test', granularity, order, layers, meta: {} };
}

/** Random scores; with `ties`, integers in [0, 4) so ties are everywhere. */
export function randomScores(
  spec: ModelSpec,
  granularity: Granularity,
  seed: number,
  opts: { order?: PruneOrder; ties?: boolean } = {},
): ScoreSet {
  const rng = new Rng(seed);
  return makeScores(spec, granularity, opts.order ?? 'prune-lowest', () =>
    opts.ties ? rng.int(4) : rng.normal(),
  );
}

/** Number of zeros per mask, by kernel name. */
export function removedCounts(
  masks: Map<string, { data: ArrayLike<number> }>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, m] of masks) {
    let z = 0;
    for (let i = 0; i < m.data.length; i++) if (m.data[i] === 0) z++;
    out.set(k, z);
  }
  return out;
}

/** flatten → fc1(u1) → fc2(u2) → head(2), input 1×1×4: a few dozen weights. */
export function microMlp(u1 = 3, u2 = 4): ModelSpec {
  return {
    name: 'micro',
    inputShape: [1, 1, 4],
    numClasses: 2,
    layers: [
      { kind: 'flatten', name: 'flatten' },
      { kind: 'dense', name: 'fc1', units: u1 },
      { kind: 'dense', name: 'fc2', units: u2 },
      { kind: 'dense', name: 'head', units: 2, activation: 'none' },
    ],
  };
}

/** A model whose every parameter and BN statistic is random (bias ≠ 0, BN stats non-trivial). */
export async function randomModel(spec: ModelSpec, seed: number): Promise<Model> {
  const model = initModel(spec, seed);
  const rng = new Rng(seed + 1);
  const w = await getWeights(model);
  for (const [name, v] of w) {
    const d = v.data;
    if (name.endsWith('/kernel')) continue; // He/Glorot init is random already
    for (let i = 0; i < d.length; i++) {
      if (name.endsWith('/movingVariance')) d[i] = 0.5 + 1.5 * rng.next();
      else if (name.endsWith('/gamma')) d[i] = 0.5 + rng.next();
      else d[i] = 0.3 * rng.normal(); // bias, beta, moving mean
    }
  }
  setWeights(model, w);
  return model;
}
