/**
 * Options and the per-neuron arithmetic of the anomaly degree (formulas, citations and defaults
 * in anomaly.ts, which re-exports everything here). Plain numbers only: no tensors.
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
