/**
 * Options, the per-neuron arithmetic of the anomaly degree and its per-weight (unstructured)
 * form (formulas, citations and defaults in anomaly.ts, which re-exports everything here). Plain
 * numbers only: no tensors.
 */
import type { PruneOrder } from '../types';
import { ScoreInputError } from './common-errors';

export interface AnomalyOptions {
  /** anomaly of the activation a_j or of its loss gradient g_j = ∂L/∂a_j */
  form: 'activation' | 'gradient';
  /** 'relative' (default, the thesis) or 'absolute' (ANP-VS vulnerability, no denominator) */
  measure?: 'relative' | 'absolute';
  /** δ ≥ 0 of the relative measure (default 0.01); with deltaMode 'layer' a fraction of the layer's mean |s| */
  delta?: number;
  /** 'layer' (default): δ_l = delta · layer mean |s(x)|; 'absolute': δ_l = delta (signal units) */
  deltaMode?: 'layer' | 'absolute';
  /**
   * 'tempered' (default): keep-score |w|·p^α with p the within-layer percentile of low anomaly
   * over live entries, prune-lowest, dead paths first; 'naive': the thesis's "most anomalous
   * first" as first defined (prune-highest, no dead rule unless asked): the negative result
   */
  variant?: 'tempered' | 'naive';
  /**
   * tempering exponent α of the tempered variant, in [−16, 16]: α > 0 removes the anomalous units'
   * weights sooner (the thesis's hypothesis), α = 0 is dead-aware magnitude, α < 0 keeps them
   * (the opposite hypothesis)
   */
  alpha?: number;
  /** the dead-unit rule (scores/dead.ts); default 'first' (tempered) or 'off' (naive) */
  dead?: 'first' | 'off';
  /** default 'prune-lowest' (tempered keep-score) or 'prune-highest' (naive: most anomalous first) */
  order?: PruneOrder;
}

/**
 * Default α of the tempered variant (docs/experiments.md, study 2, "choosing α"): on the PGD-AT
 * LeNet at 90%, one-shot pruning is best at α = 0 (dead-aware magnitude) and every α ≠ 0 costs
 * robustness; the end-to-end method (anomaly-learned) absorbs α = 0.5 at no robust cost and not
 * α = 1. 0.5 is the largest α the end-to-end method absorbs, so the anomaly still shapes the mask
 * it starts from; pass `alpha: 0` for the best one-shot ranking.
 */
export const DEFAULT_ALPHA = 0.5;

export const ANOMALY_DEFAULTS = {
  measure: 'relative',
  delta: 0.01,
  deltaMode: 'layer',
  variant: 'tempered',
  alpha: DEFAULT_ALPHA,
} as const;

/** Smallest δ used, so |Δs| / (|s| + δ) stays finite. */
export const DELTA_FLOOR = 1e-12;

function oneOf(field: string, v: unknown, ok: readonly string[]): void {
  if (!ok.includes(v as string))
    throw new ScoreInputError(field, `must be one of ${ok.join(', ')}, got ${String(v)}`);
}

/** Fill defaults and check options; throws ScoreInputError naming the bad field. */
export function checkAnomalyOptions(o: AnomalyOptions): Required<AnomalyOptions> {
  const clean = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  const r = { ...ANOMALY_DEFAULTS, ...clean } as Required<AnomalyOptions>;
  oneOf('variant', r.variant, ['tempered', 'naive']);
  r.order ??= r.variant === 'naive' ? 'prune-highest' : 'prune-lowest';
  r.dead ??= r.variant === 'naive' ? 'off' : 'first';
  oneOf('form', r.form, ['activation', 'gradient']);
  oneOf('measure', r.measure, ['relative', 'absolute']);
  oneOf('deltaMode', r.deltaMode, ['layer', 'absolute']);
  oneOf('order', r.order, ['prune-highest', 'prune-lowest']);
  oneOf('dead', r.dead, ['first', 'off']);
  if (typeof r.alpha !== 'number' || !Number.isFinite(r.alpha) || Math.abs(r.alpha) > 16)
    throw new ScoreInputError('alpha', `must be a number in [-16, 16], got ${String(r.alpha)}`);
  if (typeof r.delta !== 'number' || !Number.isFinite(r.delta) || r.delta < 0)
    throw new ScoreInputError('delta', `must be a finite number ≥ 0, got ${String(r.delta)}`);
  return r;
}

/**
 * Anomaly degree per neuron from per-sample signals. clean, adv: `[N, cols]` row-major; the
 * neuron columns are [col0, col0 + J). Returns `[J]`, ≥ 0 and finite for finite inputs.
 */
export function anomalyDegree(
  clean: Float32Array,
  adv: Float32Array,
  n: number,
  cols: number,
  col0: number,
  neurons: number,
  opts: Pick<Required<AnomalyOptions>, 'measure' | 'delta' | 'deltaMode'>,
): Float32Array {
  let delta = opts.delta;
  if (opts.deltaMode === 'layer') {
    let sum = 0;
    for (let b = 0; b < n; b++)
      for (let j = 0; j < neurons; j++) sum += Math.abs(clean[b * cols + col0 + j]);
    delta *= sum / (n * neurons);
  }
  delta = Math.max(delta, DELTA_FLOOR);
  const out = new Float32Array(neurons);
  for (let j = 0; j < neurons; j++) {
    let acc = 0;
    for (let b = 0; b < n; b++) {
      const s = clean[b * cols + col0 + j];
      const d = Math.abs(adv[b * cols + col0 + j] - s);
      acc += opts.measure === 'relative' ? d / (Math.abs(s) + delta) : d;
    }
    out[j] = acc / n;
  }
  return out;
}

/** ε of the per-weight score, in units of the layer's mean |w| (a zero weight stays finite). */
export const WEIGHT_EPS = 1e-8;

/** A layer's mask values as read from its tensor: `[out]` (perNeuron) or the kernel's shape. */
export interface PlainLayerMask {
  data: ArrayLike<number>;
  perNeuron: boolean;
}

/**
 * Per-weight anomaly-weighted magnitude of one layer (formula and rationale in anomaly.ts):
 *   score(w_ij) = (A_j / Ā) · (c_i / c̄) / (|w_ij| / |w|‾ + WEIGHT_EPS)
 * Means are over what the layer's own mask keeps: |w|‾ over kept weights, Ā over neurons with a
 * kept weight, c̄ over inputs with a kept weight. A factor whose mean is 0 (no anomaly, no input
 * change) is 1 for the whole layer; if every kept weight is 0, |w_ij| / |w|‾ is 0. Masked weights
 * score exactly 0 (the module's rule). a: `[J]` ≥ 0; c: `[inDim]` ≥ 0 (any common scale);
 * w: the kernel, row-major `[..., inDim, J]`. Returns the kernel's size, finite and ≥ 0.
 */
export function anomalyWeightScores(
  a: ArrayLike<number>,
  c: ArrayLike<number>,
  w: ArrayLike<number>,
  neurons: number,
  inDim: number,
  mask?: PlainLayerMask,
): Float32Array {
  const kept = (k: number) =>
    !mask || (mask.perNeuron ? mask.data[k % neurons] : mask.data[k]) !== 0;
  const neuronKept = new Uint8Array(neurons);
  const inputKept = new Uint8Array(inDim);
  let wSum = 0;
  let wCount = 0;
  for (let k = 0; k < w.length; k++) {
    if (!kept(k)) continue;
    wSum += Math.abs(w[k]);
    wCount++;
    neuronKept[k % neurons] = 1;
    inputKept[Math.floor(k / neurons) % inDim] = 1;
  }
  const mean = (v: ArrayLike<number>, on: Uint8Array) => {
    let s = 0;
    let m = 0;
    for (let i = 0; i < on.length; i++) {
      if (!on[i]) continue;
      s += v[i];
      m++;
    }
    return m > 0 ? s / m : 0;
  };
  const aBar = mean(a, neuronKept);
  const cBar = mean(c, inputKept);
  const wBar = wCount > 0 ? wSum / wCount : 0;
  const out = new Float32Array(w.length);
  for (let k = 0; k < w.length; k++) {
    if (!kept(k)) continue;
    const j = k % neurons;
    const i = Math.floor(k / neurons) % inDim;
    const an = aBar > 0 ? a[j] / aBar : 1;
    const cn = cBar > 0 ? c[i] / cBar : 1;
    const wn = wBar > 0 ? Math.abs(w[k]) / wBar : 0;
    out[k] = (an * cn) / (wn + WEIGHT_EPS);
  }
  return out;
}

/**
 * Within-layer percentile of LOW anomaly over the `live` entries: the least anomalous live entry
 * gets 1, the most anomalous 1/n (n live entries; ties share their average rank). Entries that are
 * not live get 1 (they are handled by the mask or the dead rule). Scale-free: the same uniform
 * spread in every layer, so it reorders weights inside a layer without moving layer sparsity.
 */
export function lowAnomalyPercentile(u: ArrayLike<number>, live: Uint8Array): Float32Array {
  const idx: number[] = [];
  for (let k = 0; k < u.length; k++) if (live[k]) idx.push(k);
  idx.sort((a, b) => u[a] - u[b] || a - b);
  const out = new Float32Array(u.length).fill(1);
  const n = idx.length;
  for (let r = 0; r < n;) {
    let e = r;
    while (e + 1 < n && u[idx[e + 1]] === u[idx[r]]) e++;
    const rank = (r + e) / 2; // 0-based average rank, ascending anomaly
    for (let t = r; t <= e; t++) out[idx[t]] = (n - rank) / n;
    r = e + 1;
  }
  return out;
}

/**
 * The tempered keep-score of one layer (prune-lowest; formula in anomaly.ts), with p_j the
 * within-layer percentile of LOW anomaly A_j over the layer's live units:
 *   unstructured  k(w_ij) = |w_ij| · p_j^α    (every weight into unit j shares its unit's p_j)
 *   structured    k_j = Σ_i |W_·ij| · p_j^α   (the unit's L1 norm, Li et al. 2017)
 * A unit is live when its mask keeps at least one of its weights and it is not dead (`deadUnits`,
 * `[out]`, 1 = dead; may be omitted). Masked entries score exactly 0 (the module's rule); dead
 * entries are left to the dead rule. α = 0 gives |w| (L1) exactly. a: `[J]`; w: the kernel,
 * row-major `[..., inDim, J]`.
 */
export function temperedKeepScores(
  a: ArrayLike<number>,
  w: ArrayLike<number>,
  neurons: number,
  alpha: number,
  structured: boolean,
  mask?: PlainLayerMask,
  deadUnits?: Uint8Array,
): Float32Array {
  const keptW = (k: number) =>
    !mask || (mask.perNeuron ? mask.data[k % neurons] : mask.data[k]) !== 0;
  const l1 = new Float64Array(neurons);
  const unitKept = new Uint8Array(neurons);
  for (let k = 0; k < w.length; k++)
    if (keptW(k)) {
      l1[k % neurons] += Math.abs(w[k]);
      unitKept[k % neurons] = 1;
    }
  const live = Uint8Array.from(unitKept, (v, j) => (v && !(deadUnits && deadUnits[j]) ? 1 : 0));
  const p = lowAnomalyPercentile(a, live);
  const f = Float64Array.from(p, (v) => Math.pow(v, alpha));
  if (structured) return Float32Array.from(l1, (v, j) => (unitKept[j] ? v * f[j] : 0));
  const out = new Float32Array(w.length);
  for (let k = 0; k < w.length; k++) out[k] = keptW(k) ? Math.abs(w[k]) * f[k % neurons] : 0;
  return out;
}
