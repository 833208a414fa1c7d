/**
 * Wall-clock inference timing and latency statistics.
 *
 * `measureInference` times a forward pass the way a user would feel it: call the logits function,
 * then `await logits.data()`, so the time includes the device work and the read-back (on WebGPU /
 * WebGL the kernels run asynchronously; without the read, a timer measures only the dispatch).
 * Warm-up calls run first (shader compilation, WASM/XNNPACK setup, allocator growth) and are not
 * counted. The figure to report is the median; p95 shows the tail.
 *
 * Units: milliseconds. Shapes: x `[B, H, W, C]` with pixels in [0, 1] → logits `[B, K]`.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { LogitsFn } from '../model/types';
import { EvalInputError } from './accuracy';

/** Summary of a list of durations, in milliseconds. */
export interface LatencyStats {
  /** number of timed runs */
  runs: number;
  median: number;
  /** 95th percentile (linear interpolation between order statistics) */
  p95: number;
  mean: number;
  min: number;
  max: number;
}

/** The q-quantile (q in [0, 1]) of `values` by linear interpolation; NaN for an empty list. */
export function quantile(values: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new EvalInputError(`quantile q must be in [0, 1], got ${q}`);
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** Median, p95, mean, min and max of durations in milliseconds (NaN fields for an empty list). */
export function latencyStats(ms: readonly number[]): LatencyStats {
  const n = ms.length;
  return {
    runs: n,
    median: quantile(ms, 0.5),
    p95: quantile(ms, 0.95),
    mean: n === 0 ? NaN : ms.reduce((a, b) => a + b, 0) / n,
    min: n === 0 ? NaN : Math.min(...ms),
    max: n === 0 ? NaN : Math.max(...ms),
  };
}

export interface InferenceTimingOptions {
  /** timed runs, integer ≥ 1 (default 10) */
  repeats?: number;
  /** untimed warm-up runs before them, integer ≥ 0 (default 2) */
  warmup?: number;
}

export interface InferenceTiming extends LatencyStats {
  /** every timed run, ms, in order */
  samples: number[];
  /** images per forward pass */
  batch: number;
}

/**
 * Median (and more) wall time in ms of one forward pass `f(x)` including the read of its logits
 * (`await data()`, i.e. the device sync). `x` is not disposed; nothing leaks.
 */
export async function measureInference(
  f: LogitsFn,
  x: tf.Tensor4D,
  opts: InferenceTimingOptions = {},
): Promise<InferenceTiming> {
  const repeats = opts.repeats ?? 10;
  const warmup = opts.warmup ?? 2;
  if (!Number.isInteger(repeats) || repeats < 1)
    throw new EvalInputError(`timing repeats must be an integer ≥ 1, got ${repeats}`);
  if (!Number.isInteger(warmup) || warmup < 0)
    throw new EvalInputError(`timing warmup must be an integer ≥ 0, got ${warmup}`);
  const once = async (): Promise<number> => {
    const t0 = performance.now();
    const z = f(x); // [B, K]
    try {
      await z.data();
    } finally {
      z.dispose();
    }
    return performance.now() - t0;
  };
  for (let i = 0; i < warmup; i++) await once();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) samples.push(await once());
  return { ...latencyStats(samples), samples, batch: x.shape[0] };
}
