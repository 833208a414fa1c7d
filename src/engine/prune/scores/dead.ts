/**
 * The dead-unit rule, for every pruning criterion (`dead: 'first' | 'off'`).
 *
 * After adversarial training a large share of dense units never fire (default PGD-AT LeNet on
 * Fashion-MNIST: 64 of fc1's 120 units and 26 of fc2's 84; docs/experiments.md, study 2). A dead
 * unit's output is 0 for every input, so every weight into it and every weight reading it is
 * free to remove. The relative anomaly degree of a dead unit is 0/δ = 0, so "most anomalous first"
 * keeps exactly these weights and removes the live ones: the collapse of docs/results.md. Pruning
 * dead paths first repairs that, and lifts plain magnitude pruning too (a finding in itself).
 *
 * Definitions, over the N scoring samples x AND their adversarial versions x′ (both must agree):
 * - unit j of prunable layer l is **dead** when its activation (the forward tap: after BN and the
 *   activation; conv: at every spatial position) is exactly 0 on every clean and every
 *   adversarial sample: max_{x ∈ X ∪ X′} max_positions |a_j(x)| = 0;
 * - input i of layer l (a dense input, or a conv input channel, as replayed from the taps along
 *   the model plan: pooling, flatten, global average pool, residual add + ReLU) is **always
 *   zero** under the same condition.
 * With `dead: 'first'`, a weight w_ij goes first when unit j is dead or input i is always zero
 * (structured: unit j goes first when it is dead); among those, ties go by position (layer
 * forward order, then row-major index), whatever the criterion's own scores say. Implementation:
 * their scores become −∞ (order 'prune-lowest') or +∞ ('prune-highest'), which the mask rule
 * (masks.ts) sorts first with position tie-breaks; the finite scores are untouched.
 *
 * Cost: two tapped forward passes per scoring batch (x and x′), on top of the attack.
 */
import * as tf from '@tensorflow/tfjs-core';
import { forward } from '../../model/forward';
import { prunableLayers } from '../../model/params';
import type { PrunableLayer } from '../../model/plan';
import type { ModelSpec } from '../../model/spec';
import type { Masks, Model } from '../../model/types';
import type { ScoreSet } from '../types';
import { ScoreInputError } from './common-errors';
import { layerInputs } from './common-signals';
import { scoringBatches, type ScoreContext, type ScoringBatch } from './context';

/** The dead rule's setting: prune dead paths first, or leave the criterion's ranking alone. */
export type DeadRule = 'first' | 'off';

/** Per prunable layer (kernel name): 1 = dead unit `[out]`, 1 = always-zero input `[in]`. */
export interface DeadInfo {
  units: Map<string, Uint8Array>;
  inputs: Map<string, Uint8Array>;
  /** clean + adversarial samples the rule was measured on */
  samples: number;
}

/** Per-layer max |value| over everything but the last axis: `[B, ..., C]` → `[C]`. */
function maxAbsPerChannel(t: tf.Tensor): tf.Tensor1D {
  const axes = Array.from({ length: t.rank - 1 }, (_, i) => i);
  return tf.max(tf.abs(t), axes) as tf.Tensor1D;
}

/** Max |activation| `[Σ out]` and max |input| `[Σ in]` of one batch, layers in order. */
function batchMaxima(
  model: Model,
  masks: Masks | undefined,
  x: tf.Tensor4D,
  layers: readonly PrunableLayer[],
): tf.Tensor1D {
  return tf.tidy(() => {
    const { taps } = forward(model, x, { masks, tap: true });
    const ins = layerInputs(model, x, taps);
    const parts = [
      ...layers.map((l) => maxAbsPerChannel(taps.get(l.name) as tf.Tensor)),
      ...layers.map((l) => maxAbsPerChannel(ins.get(l.name) as tf.Tensor)),
    ];
    return tf.concat(parts) as tf.Tensor1D; // [Σ out + Σ in]
  });
}

/**
 * Accumulates the dead-rule maxima batch by batch (clean and adversarial inputs alike), so a
 * criterion that already loops over its scoring batches measures the rule in the same pass.
 */
export class DeadCounter {
  private readonly layers: PrunableLayer[];
  private readonly max: Float32Array;
  private n = 0;
  constructor(
    private readonly model: Model,
    private readonly masks: Masks | undefined,
  ) {
    this.layers = prunableLayers(model.spec);
    const size = this.layers.reduce(
      (a, l) => a + l.neurons + l.kernelShape[l.kernelShape.length - 2],
      0,
    );
    this.max = new Float32Array(size);
  }
  /** Fold in a batch of inputs `[B, H, W, C]` (not disposed). */
  async add(x: tf.Tensor4D): Promise<void> {
    const t = batchMaxima(this.model, this.masks, x, this.layers);
    try {
      const v = await t.data();
      for (let i = 0; i < this.max.length; i++) this.max[i] = Math.max(this.max[i], v[i]);
      this.n += x.shape[0];
    } finally {
      t.dispose();
    }
  }
  result(): DeadInfo {
    if (this.n === 0) throw new ScoreInputError('data', 'is empty: the dead rule needs samples');
    return deadFromMaxima(this.layers, this.max, this.n);
  }
}

/**
 * Dead units and always-zero inputs from batches that carry x′ (see the file comment). The
 * batch tensors stay owned by the iterable. Throws ScoreInputError when x′ is missing or there
 * is no sample.
 */
export async function deadFromBatches(
  model: Model,
  masks: Masks | undefined,
  batches: AsyncIterable<ScoringBatch> | Iterable<ScoringBatch>,
): Promise<DeadInfo> {
  const counter = new DeadCounter(model, masks);
  for await (const b of batches) {
    if (!b.xAdv) throw new ScoreInputError('xAdv', 'is missing: the dead rule needs x′ too');
    await counter.add(b.x);
    await counter.add(b.xAdv);
  }
  return counter.result();
}

/** DeadInfo from the concatenated maxima `[Σ out, then Σ in]` (NaN counts as alive). */
export function deadFromMaxima(
  layers: readonly PrunableLayer[],
  max: ArrayLike<number>,
  samples: number,
): DeadInfo {
  const units = new Map<string, Uint8Array>();
  const inputs = new Map<string, Uint8Array>();
  let o = 0;
  for (const l of layers) {
    units.set(
      l.kernelName,
      Uint8Array.from({ length: l.neurons }, (_, j) => (max[o + j] === 0 ? 1 : 0)),
    );
    o += l.neurons;
  }
  for (const l of layers) {
    const d = l.kernelShape[l.kernelShape.length - 2];
    inputs.set(
      l.kernelName,
      Uint8Array.from({ length: d }, (_, i) => (max[o + i] === 0 ? 1 : 0)),
    );
    o += d;
  }
  return { units, inputs, samples };
}

/** Dead units of `ctx.model` on the context's samples and their x′ (crafts x′ with its attack). */
export async function deadUnits(ctx: ScoreContext): Promise<DeadInfo> {
  return deadFromBatches(ctx.model, ctx.masks, scoringBatches(ctx, true));
}

/**
 * Which score entries of a layer sit on a dead path: unstructured (kernel shape, row-major, the
 * unit fastest) when unit j is dead or input i always zero; structured `[out]` when unit j is
 * dead.
 */
export function deadEntries(
  layer: PrunableLayer,
  granularity: 'structured' | 'unstructured',
  dead: DeadInfo,
): Uint8Array {
  const u = dead.units.get(layer.kernelName);
  const inp = dead.inputs.get(layer.kernelName);
  const out = layer.neurons;
  if (!u || !inp) throw new Error(`internal: no dead-rule data for '${layer.kernelName}'`);
  if (granularity === 'structured') return Uint8Array.from(u);
  const inDim = inp.length;
  const size = layer.kernelShape.reduce((a, b) => a * b, 1);
  const r = new Uint8Array(size);
  for (let k = 0; k < size; k++) r[k] = u[k % out] || inp[Math.floor(k / out) % inDim] ? 1 : 0;
  return r;
}

/** "fc1 64/120, fc2 26/84" (layers with no dead unit are left out; "none" when there is none). */
export function deadSummary(spec: ModelSpec, dead: DeadInfo): string {
  const parts: string[] = [];
  for (const l of prunableLayers(spec)) {
    const u = dead.units.get(l.kernelName);
    const k = u ? u.reduce((a, b) => a + b, 0) : 0;
    if (k > 0) parts.push(`${l.name} ${k}/${l.neurons}`);
  }
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/**
 * The dead rule applied to a ScoreSet: dead-path entries get −∞ (prune-lowest) or +∞
 * (prune-highest), so they are removed first, ties by position; other scores are unchanged.
 * Returns a new ScoreSet (the input is not modified) with `meta.dead = 'first'`,
 * `meta.deadUnits` (per layer) and `meta.deadEntries` (how many entries it moved first), and the
 * per-layer dead units in `deadUnits`.
 */
export function applyDeadRule(spec: ModelSpec, set: ScoreSet, dead: DeadInfo): ScoreSet {
  const first = set.order === 'prune-lowest' ? -Infinity : Infinity;
  const layers = new Map(set.layers);
  let moved = 0;
  for (const l of prunableLayers(spec)) {
    const s = set.layers.get(l.kernelName);
    if (!s) continue;
    const d = deadEntries(l, set.granularity, dead);
    if (d.length !== s.data.length)
      throw new ScoreInputError('scores', `of '${l.name}' do not fit the dead-rule data`);
    const data = Float32Array.from(s.data);
    for (let k = 0; k < d.length; k++)
      if (d[k]) {
        data[k] = first;
        moved++;
      }
    layers.set(l.kernelName, { ...s, data });
  }
  return {
    ...set,
    layers,
    deadUnits: new Map([...dead.units].map(([k, v]) => [k, Uint8Array.from(v)])),
    meta: {
      ...set.meta,
      dead: 'first',
      deadUnits: deadSummary(spec, dead),
      deadEntries: moved,
      deadSamples: dead.samples,
    },
  };
}
