/**
 * Fixed-bin histograms of plain arrays for the Distributions view: `bins` equal-width bins over
 * [lo, hi] (the data's range unless given), the last bin closed on the right. Non-finite values
 * are skipped. A constant array gets a bin of width 1 centred on its value.
 *
 * Scores get `scoreHistogram`: heavy-tailed non-negative scores (anomaly degree spans ~1e-3 to
 * ~1e5) on log-spaced bins, with zeros and the dead-unit rule's ±∞ counted apart.
 */
import type { Histogram, ScoreHistogram } from './types';

/**
 * Ratio max/min of the positive scores above which a score histogram is log-spaced (two
 * decades): below it, equal-width bins already show the shape.
 */
export const LOG_SPAN = 100;

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

/**
 * Histogram of pruning scores (see `ScoreHistogram`). ±∞ and NaN are counted, never binned. When
 * every finite score is ≥ 0 and the positive ones span more than `logSpan` (max/min), the
 * `bins` bins are equally wide in log10 from the smallest to the largest positive score (the
 * last bin closed on the right) and exact zeros are counted apart; otherwise equal-width bins over
 * the finite range (zeros binned, `histogram`'s rules). `scale` forces one axis ('log' falls
 * back to linear when there is a negative score or no positive one).
 */
export function scoreHistogram(
  values: ArrayLike<number>,
  bins: number,
  opts: { scale?: 'auto' | 'linear' | 'log'; logSpan?: number } = {},
): ScoreHistogram {
  let zeros = 0;
  let negInf = 0;
  let posInf = 0;
  let nan = 0;
  let negative = 0;
  let minPos = Infinity;
  let maxPos = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === Infinity) posInf++;
    else if (v === -Infinity) negInf++;
    else if (Number.isNaN(v)) nan++;
    else if (v === 0) zeros++;
    else if (v < 0) negative++;
    else {
      if (v < minPos) minPos = v;
      if (v > maxPos) maxPos = v;
    }
  }
  const counted = { zeros, negInf, posInf, nan, total: values.length };
  const want = opts.scale ?? 'auto';
  const canLog = negative === 0 && maxPos > 0;
  const log =
    canLog && (want === 'log' || (want === 'auto' && maxPos / minPos > (opts.logSpan ?? LOG_SPAN)));
  if (!log) return { ...histogram(values, bins), scale: 'linear', ...counted };
  let lo = Math.log10(minPos);
  let hi = Math.log10(maxPos);
  if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  // exact ends, so that the edges cover [min, max] without rounding either out
  const edges = Array.from({ length: bins + 1 }, (_, i) =>
    i === 0 && maxPos !== minPos
      ? minPos
      : i === bins && maxPos !== minPos
        ? maxPos
        : 10 ** (lo + i * width),
  );
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v > 0) || v === Infinity) continue;
    const b = Math.floor((Math.log10(v) - lo) / width);
    counts[Math.min(bins - 1, Math.max(0, b))]++;
  }
  return { edges, counts, scale: 'log', ...counted };
}
