/**
 * Small pure computations on a layer's plain activation data (LayerActivations from the worker):
 * the signed difference a(x') − a(x), per-neuron ranges for shared clean/adversarial scales, and
 * the most anomalous neurons. Activations are [C, H, W] (conv, C maps of H×W) or [units] (dense).
 */

/** Element-wise adversarial − clean (same length). */
export function difference(clean: Float32Array, adversarial: Float32Array): Float32Array {
  const d = new Float32Array(clean.length);
  for (let i = 0; i < d.length; i++) d[i] = adversarial[i] - clean[i];
  return d;
}

/**
 * Per neuron j (a block of `size` values starting at j·size), the [min, max] over the clean and
 * adversarial blocks together, so both maps of a neuron share one colour scale. Empty or NaN-only
 * blocks give [0, 0].
 */
export function sharedRanges(
  clean: Float32Array,
  adversarial: Float32Array,
  neurons: number,
  size: number,
): [number, number][] {
  const out: [number, number][] = [];
  for (let j = 0; j < neurons; j++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = j * size; i < (j + 1) * size; i++) {
      const a = clean[i];
      const b = adversarial[i];
      if (a < lo) lo = a;
      if (b < lo) lo = b;
      if (a > hi) hi = a;
      if (b > hi) hi = b;
    }
    out.push(lo <= hi ? [lo, hi] : [0, 0]);
  }
  return out;
}

/**
 * Indices of the `k` largest values, largest first (ties: lower index first; NaN last). k is
 * clamped to [0, values.length].
 */
export function topK(values: Float32Array, k: number): number[] {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  const key = (i: number) => (Number.isNaN(values[i]) ? -Infinity : values[i]);
  idx.sort((a, b) => key(b) - key(a) || a - b);
  return idx.slice(0, Math.max(0, Math.min(k, values.length)));
}

/** How many entries of a 0/1 mask are 1. */
export function countRemoved(removed: Uint8Array): number {
  let n = 0;
  for (const r of removed) n += r ? 1 : 0;
  return n;
}

/** A compact number for labels: 3 significant digits, exponent form outside [1e-3, 1e4). */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e4)) return v.toExponential(2);
  return Number(v.toPrecision(3)).toString();
}
