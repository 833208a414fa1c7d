/**
 * Number formatting shared by every view: accuracies and
 * sparsities as percentages, parameter and MAC counts with k/M suffixes.
 */

/**
 * The app's one percentage format: a fraction (accuracy, sparsity) with one decimal, e.g.
 * 0.8132 → "81.3%"; anything but a finite number (a missing figure) → "–".
 */
export function formatPct(fraction: unknown): string {
  return typeof fraction === 'number' && Number.isFinite(fraction)
    ? `${(fraction * 100).toFixed(1)}%`
    : '–';
}

/** A count with a k / M / G suffix, e.g. 1234567 → "1.23 M". */
export function count(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (abs >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (abs >= 1e4) return `${(n / 1e3).toFixed(1)} k`;
  return String(Math.round(n));
}

/** A number with at most 3 significant digits, for histogram bin edges. */
export function short(x: number): string {
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 1e4 || abs < 1e-3) return x.toExponential(1);
  return String(Number(x.toPrecision(3)));
}

/** A byte size, e.g. 317747 → "310 KiB". */
export function bytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(2)} MiB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} B`;
}
