/**
 * Scores → masks: global or layer-wise ranking, unstructured (one entry per kernel weight) or
 * structured (one entry per neuron: conv output channel or dense unit, mask shape `[out]`).
 * Global magnitude-style ranking as in Han et al. 2015 (arXiv 1506.02626) and "Pruning in the
 * face of adversaries" (arXiv 2108.08560); per-layer caps keep a global ranking from pruning a
 * layer away. docs/pruning-masks.md has the rules.
 *
 * Guarantees (sparsity = fraction REMOVED, in [0, 1)):
 * - Exact: global scope removes exactly round(sparsity × N) of the N eligible weights (units);
 *   layer scope removes round(sparsity × n_l) of each layer's n_l, and when a cap binds the
 *   remainder goes to other layers in global ranking order, so the total is still Σ round(s·n_l).
 * - Deterministic: ties are broken by position (layer forward order, then row-major index).
 * - Caps: a layer loses at most ⌊maxLayerSparsity × n_l⌋; structured layers keep ≥ 1 unit.
 *   When the caps make the target impossible a MaskError names the achievable maximum.
 * Masks are plain data (Uint8Array 0/1: 0 = removed); toTensorMasks makes forward's tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { prunableLayers } from '../model/params';
import type { PrunableLayer } from '../model/params';
import type { ModelSpec } from '../model/spec';
import type { Masks } from '../model/types';
import type { Granularity, MaskRule, PlainMasks, ScoreSet } from './types';

/** A score set, rule or mask that cannot be turned into masks (message names the problem). */
export class MaskError extends Error {
  override readonly name = 'MaskError';
}

/** Default cap on one layer's removed fraction. */
export const DEFAULT_MAX_LAYER_SPARSITY: Record<Granularity, number> = {
  unstructured: 0.99,
  structured: 0.9,
};

/**
 * The prunable layers that may be pruned at `granularity`, in forward order. Structured pruning
 * never removes units of the classifier head (the last dense layer: its units are the classes),
 * whatever `exclude` says; unstructured pruning excludes nothing by default. `exclude` (kernel
 * names, e.g. 'conv1/kernel') adds exclusions; an unknown name throws MaskError.
 */
export function prunableKernels(
  spec: ModelSpec,
  granularity: Granularity,
  exclude: readonly string[] = [],
): PrunableLayer[] {
  const all = prunableLayers(spec);
  const names = new Set(all.map((l) => l.kernelName));
  for (const e of exclude)
    if (!names.has(e))
      throw new MaskError(`exclude names '${e}', not a kernel of '${spec.name}' (${[...names]})`);
  const head = all[all.length - 1].kernelName;
  const skip = new Set(exclude);
  if (granularity === 'structured') skip.add(head);
  return all.filter((l) => !skip.has(l.kernelName));
}

/** Eligible layers with their scores flattened into one priority array (internal to prune/). */
export interface PreparedScores {
  granularity: Granularity;
  layers: PrunableLayer[];
  /** per layer: eligible count n_l (weights or units) */
  sizes: number[];
  /** per layer: first global index */
  offsets: number[];
  /** per layer: the most it may lose */
  caps: number[];
  /** global index → layer position */
  layerOf: Uint32Array;
  /** priority: lower is pruned first (score for prune-lowest, −score for prune-highest) */
  key: Float64Array;
  total: number;
  /** Σ caps: the most that can be removed */
  maxRemovable: number;
}

function checkUnit(v: number | undefined, what: string, maxOpen: boolean): void {
  if (v === undefined) return;
  if (!Number.isFinite(v) || v < 0 || (maxOpen ? v >= 1 : v > 1))
    throw new MaskError(`${what} must be in [0, 1${maxOpen ? ')' : ']'}, got ${v}`);
}

/** Check `sparsity` ∈ [0, 1); throws MaskError. */
export function checkSparsity(sparsity: number): void {
  if (typeof sparsity !== 'number') throw new MaskError('rule.sparsity must be a number');
  checkUnit(sparsity, 'sparsity', true);
}

/** Validate scores against the spec and rule, and flatten them (O(N)). Throws MaskError. */
export function prepareScores(
  spec: ModelSpec,
  scores: ScoreSet,
  rule: Omit<MaskRule, 'sparsity'>,
): PreparedScores {
  const g = scores.granularity;
  if (g !== 'structured' && g !== 'unstructured')
    throw new MaskError(`scores.granularity must be 'structured' or 'unstructured', got ${g}`);
  if (scores.order !== 'prune-highest' && scores.order !== 'prune-lowest')
    throw new MaskError(`scores.order must be 'prune-highest' or 'prune-lowest'`);
  const scope = rule.scope ?? 'global';
  if (scope !== 'global' && scope !== 'layer')
    throw new MaskError(`rule.scope must be 'global' or 'layer', got ${String(scope)}`);
  checkUnit(rule.maxLayerSparsity, 'rule.maxLayerSparsity', false);
  const maxFrac = rule.maxLayerSparsity ?? DEFAULT_MAX_LAYER_SPARSITY[g];
  const kernels = new Set(prunableLayers(spec).map((l) => l.kernelName));
  for (const [k, ls] of scores.layers) {
    if (!kernels.has(k)) throw new MaskError(`scores name '${k}', not a kernel of '${spec.name}'`);
    if (ls.kernelName !== k)
      throw new MaskError(`scores entry '${k}' has kernelName '${ls.kernelName}'`);
  }
  const layers = prunableKernels(spec, g, rule.exclude);
  if (layers.length === 0) throw new MaskError('no layer is eligible for pruning');
  const sizes = layers.map((l) =>
    g === 'structured' ? l.neurons : l.kernelShape.reduce((a, b) => a * b, 1),
  );
  const offsets: number[] = [];
  let total = 0;
  for (const n of sizes) {
    offsets.push(total);
    total += n;
  }
  const key = new Float64Array(total);
  const layerOf = new Uint32Array(total);
  const sign = scores.order === 'prune-lowest' ? 1 : -1;
  layers.forEach((l, li) => {
    const s = scores.layers.get(l.kernelName);
    const want = g === 'structured' ? [l.neurons] : l.kernelShape;
    if (!s)
      throw new MaskError(
        `scores have no entry for '${l.kernelName}' (add it to rule.exclude to leave it unpruned)`,
      );
    if (s.shape.length !== want.length || s.shape.some((d, i) => d !== want[i]))
      throw new MaskError(`scores for '${l.name}' have shape [${s.shape}], expected [${want}]`);
    if (s.data.length !== sizes[li])
      throw new MaskError(`scores for '${l.name}' have ${s.data.length} values, need ${sizes[li]}`);
    const off = offsets[li];
    for (let i = 0; i < sizes[li]; i++) {
      const v = s.data[i];
      if (Number.isNaN(v))
        throw new MaskError(`scores for layer '${l.name}' contain NaN (at ${i})`);
      key[off + i] = sign * v;
      layerOf[off + i] = li;
    }
  });
  const caps = sizes.map((n) => {
    const c = Math.floor(maxFrac * n + 1e-9);
    return g === 'structured' ? Math.min(c, n - 1) : c;
  });
  const maxRemovable = caps.reduce((a, b) => a + b, 0);
  return { granularity: g, layers, sizes, offsets, caps, layerOf, key, total, maxRemovable };
}

/** Global indices in [from, to) sorted by priority, ties by index (O(n log n)). */
export function sortedIndices(key: Float64Array, from: number, to: number): Uint32Array {
  const idx = new Uint32Array(to - from);
  for (let i = 0; i < idx.length; i++) idx[i] = from + i;
  // NaN (∞ − ∞) is falsy: equal infinities fall through to the index tie-break
  return idx.sort((a, b) => key[a] - key[b] || a - b);
}

/** Throw when `want` removals exceed what the caps allow. */
export function checkAchievable(p: PreparedScores, want: number, sparsity: number): void {
  if (want > p.maxRemovable)
    throw new MaskError(
      `sparsity ${sparsity} needs ${want} of ${p.total} ${p.granularity === 'structured' ? 'units' : 'weights'} removed, ` +
        `but the per-layer caps allow at most ${p.maxRemovable} (sparsity ${(p.maxRemovable / p.total).toFixed(6)}); ` +
        'raise rule.maxLayerSparsity or lower the sparsity',
    );
}

/** Plain masks from a 0/1-per-global-index "removed" array. */
export function masksFromRemoved(p: PreparedScores, removed: Uint8Array): PlainMasks {
  const out: PlainMasks = new Map();
  p.layers.forEach((l, li) => {
    const n = p.sizes[li];
    const data = new Uint8Array(n);
    const off = p.offsets[li];
    for (let i = 0; i < n; i++) data[i] = removed[off + i] ? 0 : 1;
    out.set(l.kernelName, {
      shape: p.granularity === 'structured' ? [l.neurons] : [...l.kernelShape],
      data,
    });
  });
  return out;
}

/**
 * Masks that remove the `rule.sparsity` fraction (in [0, 1)) of eligible weights (unstructured)
 * or units (structured), ranked by `scores` in `scores.order`. Returns a mask (0 = removed) for
 * every eligible kernel; excluded layers get none. Throws MaskError for scores that do not fit
 * the spec, NaN scores (naming the layer), or a sparsity the caps cannot reach.
 */
export function masksFromScores(spec: ModelSpec, scores: ScoreSet, rule: MaskRule): PlainMasks {
  checkSparsity(rule.sparsity);
  const p = prepareScores(spec, scores, rule);
  const removed = new Uint8Array(p.total);
  const count = new Array<number>(p.layers.length).fill(0);
  let want: number;
  let rest: number;
  if ((rule.scope ?? 'global') === 'global') {
    want = Math.round(rule.sparsity * p.total);
    rest = want;
  } else {
    want = 0;
    rest = 0;
    p.layers.forEach((_, li) => {
      const t = Math.round(rule.sparsity * p.sizes[li]);
      const take = Math.min(t, p.caps[li]);
      const order = sortedIndices(p.key, p.offsets[li], p.offsets[li] + p.sizes[li]);
      for (let j = 0; j < take; j++) removed[order[j]] = 1;
      count[li] = take;
      want += t;
      rest += t - take;
    });
  }
  checkAchievable(p, want, rule.sparsity);
  if (rest > 0) {
    for (const i of sortedIndices(p.key, 0, p.total)) {
      if (rest === 0) break;
      const li = p.layerOf[i];
      if (removed[i] || count[li] >= p.caps[li]) continue;
      removed[i] = 1;
      count[li]++;
      rest--;
    }
  }
  return masksFromRemoved(p, removed);
}

/** Float32 tensor masks for forward/training (the caller owns them: disposeMasks). */
export function toTensorMasks(plain: PlainMasks): Masks {
  const out: Masks = new Map();
  for (const [k, m] of plain) {
    const size = m.shape.reduce((a, b) => a * b, 1);
    if (m.data.length !== size)
      throw new MaskError(`mask '${k}' has ${m.data.length} values for shape [${m.shape}]`);
    out.set(k, tf.tensor(Float32Array.from(m.data), m.shape, 'float32'));
  }
  return out;
}

/** Dispose every tensor of `masks` and empty the map (a second call is a no-op). */
export function disposeMasks(masks: Masks): void {
  for (const t of masks.values()) t.dispose();
  masks.clear();
}
