/**
 * Text of report figures: accuracies as percentages, mean ± std of a sweep metric (percent for
 * accuracy metrics, 3 significant digits for seconds, epochs and counts), durations and dates.
 */
import { isAccuracyMetric } from '../../workers/protocol';
import { formatPct } from '../lib/format';

/** A number with at most 3 significant digits (exponent form below 0.001). */
export function sig(x: number): string {
  if (x === 0) return '0';
  const abs = Math.abs(x);
  return abs >= 1e6 || abs < 1e-3 ? x.toExponential(2) : String(Number(x.toPrecision(3)));
}

/** `mean ± std` of a sweep metric: e.g. "81.3% ± 0.4%" for accuracies (std in points), "1230 ± 12.3" else. */
export function meanStdText(metric: string, mean: number, std: number): string {
  if (isAccuracyMetric(metric)) return `${formatPct(mean)} ± ${formatPct(std)}`;
  return `${sig(mean)} ± ${sig(std)}`;
}

/** Seconds as "42 s", "12.5 min" or "3.20 h". */
export function duration(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(2)} h`;
}

/** An ISO date as local "YYYY-MM-DD HH:MM:SS" (the text itself when it is not a date). */
export function when(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
