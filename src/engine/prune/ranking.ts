/**
 * A precomputed ranking of one ScoreSet, for the sparsity slider: sort once (O(N log N)), then
 * `masksAt(sparsity)` is O(N) (a prefix of the precomputed pruning sequence) and returns exactly
 * what masksFromScores returns for the same rule (same ranking, ties, caps and redistribution;
 * see masks.ts and docs/pruning-masks.md).
 *
 * Why a prefix works: in global scope the greedy walk "take the next-ranked element unless its
 * layer is at its cap" visits elements in an order that does not depend on the target, so the
 * removals for a target T are the first T elements of the walk with no target at all.
 */
import type { ModelSpec } from '../model/spec';
import {
  checkAchievable,
  checkSparsity,
  masksFromRemoved,
  prepareScores,
  sortedIndices,
} from './masks';
import type { Granularity, MaskRule, PlainMasks, ScoreSet } from './types';

export interface ScoreRanking {
  method: string;
  granularity: Granularity;
  scope: 'global' | 'layer';
  /** kernel names that get masks, in forward order */
  kernels: string[];
  /** eligible weights (unstructured) or units (structured) */
  total: number;
  /** the largest fraction of `total` the per-layer caps allow removing, in [0, 1] */
  maxSparsity: number;
  /** masks removing `sparsity` ∈ [0, 1) (fraction removed); equal to masksFromScores' */
  masksAt(sparsity: number): PlainMasks;
}

/**
 * Rank `scores` once under `rule` (scope, caps, exclusions; no sparsity). Throws MaskError like
 * masksFromScores for scores that do not fit the spec or contain NaN.
 */
export function rankScores(
  spec: ModelSpec,
  scores: ScoreSet,
  rule: Omit<MaskRule, 'sparsity'> = {},
): ScoreRanking {
  const p = prepareScores(spec, scores, rule);
  const scope = rule.scope ?? 'global';
  const global = sortedIndices(p.key, 0, p.total);
  const base = {
    method: scores.method,
    granularity: p.granularity,
    scope,
    kernels: p.layers.map((l) => l.kernelName),
    total: p.total,
    maxSparsity: p.total === 0 ? 0 : p.maxRemovable / p.total,
  };
  if (scope === 'global') {
    // the capped walk, once: element order of removal for any target
    const seq = new Uint32Array(p.maxRemovable);
    const count = new Array<number>(p.layers.length).fill(0);
    let n = 0;
    for (const i of global) {
      const li = p.layerOf[i];
      if (count[li] >= p.caps[li]) continue;
      count[li]++;
      seq[n++] = i;
    }
    return {
      ...base,
      masksAt(sparsity: number): PlainMasks {
        checkSparsity(sparsity);
        const want = Math.round(sparsity * p.total);
        checkAchievable(p, want, sparsity);
        const removed = new Uint8Array(p.total);
        for (let j = 0; j < want; j++) removed[seq[j]] = 1;
        return masksFromRemoved(p, removed);
      },
    };
  }
  // layer scope: each layer's own order, and each element's rank within its layer
  const layerOrder = p.layers.map((_, li) =>
    sortedIndices(p.key, p.offsets[li], p.offsets[li] + p.sizes[li]),
  );
  const rankInLayer = new Uint32Array(p.total);
  layerOrder.forEach((ord) => ord.forEach((i, r) => (rankInLayer[i] = r)));
  return {
    ...base,
    masksAt(sparsity: number): PlainMasks {
      checkSparsity(sparsity);
      const removed = new Uint8Array(p.total);
      const count = p.sizes.map((n, li) => Math.min(Math.round(sparsity * n), p.caps[li]));
      const want = p.sizes.reduce((a, n) => a + Math.round(sparsity * n), 0);
      checkAchievable(p, want, sparsity);
      let rest = want;
      count.forEach((k, li) => {
        for (let j = 0; j < k; j++) removed[layerOrder[li][j]] = 1;
        rest -= k;
      });
      // redistribution in global order; within a layer this continues its own prefix
      for (let j = 0; rest > 0 && j < global.length; j++) {
        const i = global[j];
        const li = p.layerOf[i];
        if (rankInLayer[i] < count[li] || count[li] >= p.caps[li]) continue;
        removed[i] = 1;
        count[li]++;
        rest--;
      }
      return masksFromRemoved(p, removed);
    },
  };
}
