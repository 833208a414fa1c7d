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
  /** default 'prune-highest' (the anomaly hypothesis) */
  order?: PruneOrder;
}

export const ANOMALY_DEFAULTS = {
  measure: 'relative',
  delta: 0.01,
  deltaMode: 'layer',
  order: 'prune-highest',
} as const;

/** Smallest δ used, so |Δs| / (|s| + δ) stays finite. */
export const DELTA_FLOOR = 1e-12;

/** Fill defaults and check options; throws ScoreInputError naming the bad field. */
export function checkAnomalyOptions(o: AnomalyOptions): Required<AnomalyOptions> {
  const r = { ...ANOMALY_DEFAULTS, ...o } as Required<AnomalyOptions>;
  const oneOf = (field: string, v: unknown, ok: readonly string[]) => {
    if (!ok.includes(v as string))
      throw new ScoreInputError(field, `must be one of ${ok.join(', ')}, got ${String(v)}`);
  };
  oneOf('form', r.form, ['activation', 'gradient']);
  oneOf('measure', r.measure, ['relative', 'absolute']);
  oneOf('deltaMode', r.deltaMode, ['layer', 'absolute']);
  oneOf('order', r.order, ['prune-highest', 'prune-lowest']);
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
