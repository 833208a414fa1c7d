/**
 * The slider's two limits, applied in one place for the engine and the UI (no tfjs here):
 * - the cap: the most a ranking can remove under its per-layer caps (`maxSparsity`); a request
 *   above it is evaluated at the cap (the UI says so);
 * - the fine-tuned floor: after fine-tuning at s_ft the slider keeps that mask below s_ft, so the
 *   masks applied are those at max(sparsity, s_ft) (slider.ts explains why).
 * Sparsities are fractions removed in [0, 1).
 */

export interface SliderLimits {
  /** the ranking's cap (1 when unknown) */
  maxSparsity: number;
  /** the sparsity of the last fine-tuning under this slider, or null */
  fineTunedSparsity: number | null;
}

export interface SliderPosition {
  /** the sparsity to evaluate: the request, at most the cap */
  sparsity: number;
  /** the sparsity whose masks apply: max(sparsity, the fine-tuned floor) */
  masked: number;
  /** the request was above the cap */
  capped: boolean;
  /** the fine-tuned floor raised the masks' sparsity */
  floored: boolean;
}

/** Whether `v` is a sparsity: a fraction removed, a number in [0, 1). */
export function isSparsity(v: unknown): v is number {
  return typeof v === 'number' && v >= 0 && v < 1;
}

/** tolerance for comparing sparsities that went through percent ↔ fraction conversions */
const EPS = 1e-9;

/** Where a requested sparsity lands under the slider's limits. */
export function sliderPosition(requested: number, limits: SliderLimits): SliderPosition {
  const capped = requested > limits.maxSparsity + EPS;
  const sparsity = capped ? limits.maxSparsity : requested;
  const floor = limits.fineTunedSparsity ?? 0;
  return { sparsity, masked: Math.max(sparsity, floor), capped, floored: floor > sparsity };
}
