/**
 * Wall-clock measurement for the benchmarks: untimed warm-up runs, then timed runs; every run
 * is an async function that ends with a read of its result (`await t.data()`), so the time
 * includes the device work and the synchronization, not only the dispatch.
 * Units: milliseconds. Reports the median and the 95th percentile (linear interpolation,
 * src/engine/eval/timing.ts).
 */
import { latencyStats } from '../../src/engine/eval/timing';

export interface Timing {
  median: number;
  p95: number;
  runs: number;
  samples: number[];
}

/** Run `once` `warmup` times untimed, then `repeats` times timed (repeats ≥ 1). */
export async function measure(
  once: () => Promise<unknown>,
  warmup: number,
  repeats: number,
): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await once();
  const samples: number[] = [];
  for (let i = 0; i < Math.max(1, repeats); i++) {
    const t0 = performance.now();
    await once();
    samples.push(performance.now() - t0);
    peakMemory.sample();
  }
  const s = latencyStats(samples);
  return { median: s.median, p95: s.p95, runs: s.runs, samples };
}

/** Peak process memory seen by `sample()` calls, in bytes (rss and ArrayBuffers). */
export const peakMemory = {
  rss: 0,
  arrayBuffers: 0,
  sample(): void {
    const m = process.memoryUsage();
    this.rss = Math.max(this.rss, m.rss);
    this.arrayBuffers = Math.max(this.arrayBuffers, m.arrayBuffers);
  },
};
