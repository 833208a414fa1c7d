/**
 * Parameter and FLOP counts per prunable layer and in total, dense and under masks, on plain data
 * (works in the worker, the UI and the CLI alike; read tensor masks first with readMasks).
 *
 * Definitions:
 * - params: trainable parameters = kernel + bias + BN gamma and beta. BN running statistics are
 *   buffers and are not counted.
 * - MACs (multiply-accumulates, 1 MAC ≈ 2 FLOPs), per example: conv = H_out·W_out·k·k·Cin·Cout
 *   (every window position counted as full, also at 'same' padding borders, as in thop/ptflops);
 *   dense = in·out. Bias adds, BN, ReLU, pooling, the residual add and global pooling are not
 *   counted (they are O(activations), not O(weights)).
 * - kept: what the layer's own mask keeps (weights with mask ≠ 0; for an `[out]` mask, the
 *   kernel columns, bias, gamma and beta of kept units).
 * - effective: kept and actually used. A unit removed by an `[out]` mask outputs exactly 0, so
 *   the weights that read it in the next layers (after pooling, flatten, global pooling; for a
 *   residual block output, only when both branches' channel is removed) are dead too.
 * - sparsity: fraction of kernel weights removed, 1 − keptWeights / weights, in [0, 1].
 * A number instead of a mask is a kept fraction in [0, 1] of that kernel's weights (an estimate
 * with no structure: effective = kept fraction of the live weights, rounded).
 */
import { ModelInputError } from './errors';
import { checkMasks, readMasks } from './masks';
import type { PlainMask } from './masks';
import { planModel, stepOutShape } from './plan';
import type { PrunableLayer } from './plan';
import type { ModelSpec } from './spec';
import type { Masks, ParamName } from './types';

/** A plain mask, or a kept fraction in [0, 1] of the kernel's weights. */
export type CountMask = PlainMask | number;
export type CountMasks = Map<ParamName, CountMask>;

export interface LayerCounts {
  layer: string;
  kind: 'conv2d' | 'dense';
  neurons: number;
  /** neurons not removed by an `[out]` mask */
  aliveNeurons: number;
  weights: number;
  keptWeights: number;
  effectiveWeights: number;
  params: number;
  keptParams: number;
  effectiveParams: number;
  macs: number;
  keptMacs: number;
  effectiveMacs: number;
  /** fraction of kernel weights removed, in [0, 1] */
  sparsity: number;
}

export interface ModelCounts {
  layers: LayerCounts[];
  total: Omit<LayerCounts, 'layer' | 'kind' | 'neurons' | 'aliveNeurons'>;
}

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

function countLayer(
  layer: PrunableLayer,
  mask: CountMask | undefined,
  inAlive: boolean[],
): [LayerCounts, boolean[]] {
  const cout = layer.neurons;
  const cin = layer.kernelShape[layer.kernelShape.length - 2];
  const kk = layer.conv ? layer.conv.kernelSize ** 2 : 1;
  const weights = prod(layer.kernelShape);
  const perUnit = (layer.biasName ? 1 : 0) + (layer.bnName ? 2 : 0);
  const outAlive = new Array<boolean>(cout).fill(true);
  const liveIn = inAlive.filter(Boolean).length;
  let keptWeights = weights;
  let effectiveWeights = kk * liveIn * cout;
  if (typeof mask === 'number') {
    if (!(mask >= 0 && mask <= 1))
      throw new ModelInputError(
        `kept fraction for '${layer.kernelName}' must be in [0, 1], got ${mask}`,
      );
    keptWeights = Math.round(mask * weights);
    effectiveWeights = Math.round(mask * effectiveWeights);
  } else if (mask && mask.shape.length === 1) {
    for (let o = 0; o < cout; o++) outAlive[o] = mask.data[o] !== 0;
    const alive = outAlive.filter(Boolean).length;
    keptWeights = (weights / cout) * alive;
    effectiveWeights = kk * liveIn * alive;
  } else if (mask) {
    keptWeights = 0;
    effectiveWeights = 0;
    const d = mask.data;
    for (let i = 0; i < d.length; i++) {
      if (d[i] === 0) continue;
      keptWeights++;
      if (inAlive[Math.floor(i / cout) % cin]) effectiveWeights++;
    }
  }
  const aliveNeurons = outAlive.filter(Boolean).length;
  const hw = layer.outHeight * layer.outWidth;
  const structured = typeof mask === 'object' && mask.shape.length === 1;
  const counts: LayerCounts = {
    layer: layer.name,
    kind: layer.kind,
    neurons: cout,
    aliveNeurons,
    weights,
    keptWeights,
    effectiveWeights,
    params: weights + perUnit * cout,
    keptParams: keptWeights + perUnit * (structured ? aliveNeurons : cout),
    effectiveParams: effectiveWeights + perUnit * aliveNeurons,
    macs: hw * weights,
    keptMacs: hw * keptWeights,
    effectiveMacs: hw * effectiveWeights,
    sparsity: weights === 0 ? 0 : 1 - keptWeights / weights,
  };
  return [counts, outAlive];
}

/**
 * Counts of every prunable layer of `spec` and their totals, under optional plain masks (keyed by
 * kernel name; full kernel shape, `[out]`, or a kept fraction). Throws SpecError for an invalid
 * spec and ModelInputError for a mask that does not fit.
 */
export function countModel(spec: ModelSpec, masks?: CountMasks): ModelCounts {
  const plan = planModel(spec);
  const plainOnly = new Map<ParamName, PlainMask>();
  for (const [k, m] of masks ?? []) {
    if (typeof m === 'number') {
      if (!plan.prunable.some((l) => l.kernelName === k))
        throw new ModelInputError(`mask key '${k}' is not a kernel of this model`);
    } else plainOnly.set(k, m);
  }
  checkMasks(plan.prunable, plainOnly);
  const layers: LayerCounts[] = [];
  const run = (l: PrunableLayer, alive: boolean[]): boolean[] => {
    const [c, out] = countLayer(l, masks?.get(l.kernelName), alive);
    layers.push(c);
    return out;
  };
  // liveness of the current activation's channels (image) or features (flat)
  let alive = new Array<boolean>(spec.inputShape[2]).fill(true);
  let shape: number[] = spec.inputShape;
  for (const s of plan.steps) {
    if (s.op === 'conv2d' || s.op === 'dense') {
      alive = run(s.layer, alive);
    } else if (s.op === 'flatten' && shape.length === 3) {
      const c = alive; // NHWC flatten: feature (h·W + w)·C + c reads channel c
      alive = Array.from({ length: prod(shape) }, (_, i) => c[i % c.length]);
    } else if (s.op === 'residual') {
      const a1 = run(s.conv1, alive);
      const a2 = run(s.conv2, a1);
      const sc = s.shortcut ? run(s.shortcut, alive) : alive;
      alive = a2.map((v, i) => v || sc[i]); // ReLU(conv2 + shortcut) is 0 only if both are
    } // maxPool and globalAvgPool keep the channels (a 0 channel stays 0)
    shape = stepOutShape(s);
  }
  const total = layers.reduce(
    (t, l) => {
      for (const k of Object.keys(t) as (keyof ModelCounts['total'])[])
        if (k !== 'sparsity') t[k] += l[k];
      return t;
    },
    {
      weights: 0,
      keptWeights: 0,
      effectiveWeights: 0,
      params: 0,
      keptParams: 0,
      effectiveParams: 0,
      macs: 0,
      keptMacs: 0,
      effectiveMacs: 0,
      sparsity: 0,
    },
  );
  total.sparsity = total.weights === 0 ? 0 : 1 - total.keptWeights / total.weights;
  return { layers, total };
}

/** dense / kept / effective totals of one quantity (see the definitions at the top). */
export interface CountSummary {
  layers: { layer: string; dense: number; kept: number; effective: number }[];
  dense: number;
  kept: number;
  effective: number;
}

function summarize(c: ModelCounts, key: 'params' | 'macs'): CountSummary {
  const kept = key === 'params' ? 'keptParams' : 'keptMacs';
  const eff = key === 'params' ? 'effectiveParams' : 'effectiveMacs';
  return {
    layers: c.layers.map((l) => ({
      layer: l.layer,
      dense: l[key],
      kept: l[kept],
      effective: l[eff],
    })),
    dense: c.total[key],
    kept: c.total[kept],
    effective: c.total[eff],
  };
}

/** Trainable parameter counts (kernel + bias + BN gamma/beta) per prunable layer and in total. */
export function countParams(spec: ModelSpec, masks?: CountMasks): CountSummary {
  return summarize(countModel(spec, masks), 'params');
}

/** Multiply-accumulates per example, per prunable layer and in total. */
export function countMacs(spec: ModelSpec, masks?: CountMasks): CountSummary {
  return summarize(countModel(spec, masks), 'macs');
}

/** countModel with tensor masks (reads them from the backend first). */
export async function countModelAsync(spec: ModelSpec, masks?: Masks): Promise<ModelCounts> {
  return countModel(spec, masks ? await readMasks(masks) : undefined);
}
