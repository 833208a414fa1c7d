// Dataset operations: subset, take, concat, class counts, channel statistics, validation.
import { describe, expect, it } from 'vitest';
import {
  DatasetError,
  channelStats,
  classCounts,
  concatDatasets,
  subset,
  syntheticDataset,
  take,
  validateDataset,
} from '@/engine/data';
import type { Dataset } from '@/engine/data';

/** N images of shape [1, 2, 2] whose every pixel of sample i equals i / 100 (+ channel offset). */
function tagged(n: number): Dataset {
  const images = new Float32Array(n * 4);
  for (let i = 0; i < n; i++)
    for (let p = 0; p < 2; p++) {
      images[i * 4 + 2 * p] = i / 100; // channel 0
      images[i * 4 + 2 * p + 1] = 0.5 + i / 200; // channel 1
    }
  const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
  return { name: 'tagged', images, labels, shape: [1, 2, 2], numClasses: 3 };
}

describe('dataset operations', () => {
  it('subset copies the chosen samples in order, with repeats', () => {
    const ds = tagged(10);
    const s = subset(ds, [7, 2, 7]);
    expect(Array.from(s.labels)).toEqual([7 % 3, 2 % 3, 7 % 3]);
    expect(s.images[0]).toBeCloseTo(0.07, 6);
    expect(s.images[4]).toBeCloseTo(0.02, 6);
    expect(s.images[8]).toBeCloseTo(0.07, 6);
    s.images[0] = 0.99;
    expect(ds.images[7 * 4]).toBeCloseTo(0.07, 6); // a copy, not a view
    expect(() => subset(ds, [10])).toThrow(RangeError);
    expect(() => subset(ds, [-1])).toThrow(RangeError);
  });

  it('take keeps the first n and clamps to N', () => {
    const ds = tagged(5);
    expect(take(ds, 2).labels.length).toBe(2);
    expect(take(ds, 2).images.length).toBe(8);
    expect(take(ds, 99).labels.length).toBe(5);
    expect(take(ds, 0).images.length).toBe(0);
    expect(() => take(ds, -1)).toThrow(RangeError);
  });

  it('concatDatasets joins in order and rejects other shapes', () => {
    const a = tagged(2);
    const b = subset(tagged(5), [4]);
    const c = concatDatasets([a, b], 'ab');
    expect(c.name).toBe('ab');
    expect(Array.from(c.labels)).toEqual([0, 1, 1]);
    expect(c.images[8]).toBeCloseTo(0.04, 6);
    const other = { ...tagged(1), shape: [2, 1, 2] as [number, number, number] };
    expect(() => concatDatasets([a, other])).toThrow(DatasetError);
  });

  it('classCounts counts labels', () => {
    expect(classCounts(tagged(7))).toEqual([3, 2, 2]);
  });

  it('channelStats matches a direct per-channel computation', () => {
    const ds = syntheticDataset({ n: 50, shape: [4, 3, 3], numClasses: 4, seed: 3 });
    const { mean, std } = channelStats(ds);
    expect(mean.length).toBe(3);
    for (let ch = 0; ch < 3; ch++) {
      const vals: number[] = [];
      for (let i = ch; i < ds.images.length; i += 3) vals.push(ds.images[i]);
      const m = vals.reduce((s, v) => s + v, 0) / vals.length;
      const sd = Math.sqrt(vals.reduce((s, v) => s + (v - m) ** 2, 0) / vals.length);
      expect(mean[ch]).toBeCloseTo(m, 6);
      expect(std[ch]).toBeCloseTo(sd, 6);
    }
    const t = channelStats(tagged(3)); // ch0: 0, .01, .02 ; ch1: .5, .505, .51
    expect(t.mean[0]).toBeCloseTo(0.01, 6);
    expect(t.mean[1]).toBeCloseTo(0.505, 6);
    expect(t.std[0]).toBeCloseTo(Math.sqrt(2 / 3) * 0.01, 6);
  });

  it('validateDataset accepts a good dataset and names each inconsistency', () => {
    const ds = tagged(4);
    expect(() => validateDataset(ds)).not.toThrow();
    const cases: [Dataset, string][] = [
      [{ ...ds, images: ds.images.subarray(1) }, 'size-mismatch'],
      [{ ...ds, labels: Int32Array.from([0, 1, 3, 0]) }, 'label-out-of-range'],
      [{ ...ds, images: ds.images.map((v, i) => (i === 5 ? 1.5 : v)) }, 'pixel-out-of-range'],
      [{ ...ds, images: ds.images.map((v, i) => (i === 5 ? NaN : v)) }, 'pixel-out-of-range'],
      [{ ...ds, shape: [0, 2, 2] }, 'bad-shape'],
      [{ ...ds, classNames: ['a', 'b'] }, 'size-mismatch'],
    ];
    for (const [bad, problem] of cases) {
      let got: unknown;
      try {
        validateDataset(bad);
      } catch (e) {
        got = e;
      }
      expect(got).toBeInstanceOf(DatasetError);
      expect((got as DatasetError).problem).toBe(problem);
    }
  });
});
