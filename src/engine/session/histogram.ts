/**
 * Fixed-bin histograms of plain arrays for the Distributions view: `bins` equal-width bins over
 * [lo, hi] (the data's range unless given), the last bin closed on the right. Non-finite values
 * are skipped. A constant array gets a bin of width 1 centred on its value.
 */
import type { Histogram } from './types';

/** The finite minimum and maximum of `values` (null when none is finite). */
export function finiteRange(values: ArrayLike<number>): { min: number; max: number } | null {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max } : null;
}

/**
 * Histogram of `values` (optionally only where `keep[i]` is non-zero).
 * @param bins number of bins, integer ≥ 1
 * @param range the edges' span; default the finite range of `values` (all of them, kept or not)
 */
export function histogram(
  values: ArrayLike<number>,
  bins: number,
  range?: { min: number; max: number } | null,
  keep?: ArrayLike<number>,
): Histogram {
  const r = range === undefined ? finiteRange(values) : range;
  let lo = r?.min ?? 0;
  let hi = r?.max ?? 1;
  if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    if (keep !== undefined && keep[i] === 0) continue;
    const v = values[i];
    if (!Number.isFinite(v) || v < lo || v > hi) continue;
    counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  }
  return { edges, counts };
}
