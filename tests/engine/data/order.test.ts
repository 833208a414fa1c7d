// Seeded orders: permutations, per-epoch orders and train/val splits are deterministic in their
// seed, differ across seeds, and splits are disjoint and covering.
import { describe, expect, it } from 'vitest';
import {
  classCounts,
  deriveSeed,
  epochOrder,
  shuffledIndices,
  splitIndices,
  syntheticDataset,
  trainValSplit,
} from '@/engine/data';

function isPermutation(p: Int32Array, n: number): boolean {
  if (p.length !== n) return false;
  const seen = new Uint8Array(n);
  for (const i of p) {
    if (i < 0 || i >= n || seen[i]) return false;
    seen[i] = 1;
  }
  return true;
}

describe('seeded orders', () => {
  it('shuffledIndices: a permutation, same seed same order, other seed other order', () => {
    const a = shuffledIndices(1000, 42);
    expect(isPermutation(a, 1000)).toBe(true);
    expect(Array.from(shuffledIndices(1000, 42))).toEqual(Array.from(a));
    expect(Array.from(shuffledIndices(1000, 43))).not.toEqual(Array.from(a));
    expect(Array.from(a)).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(shuffledIndices(0, 1).length).toBe(0);
  });

  it('epochOrder depends only on (n, seed, epoch), and epochs differ', () => {
    const e3 = epochOrder(500, 7, 3);
    expect(isPermutation(e3, 500)).toBe(true);
    epochOrder(500, 7, 0); // other calls in between change nothing
    expect(Array.from(epochOrder(500, 7, 3))).toEqual(Array.from(e3));
    expect(Array.from(epochOrder(500, 7, 4))).not.toEqual(Array.from(e3));
    expect(Array.from(epochOrder(500, 8, 3))).not.toEqual(Array.from(e3));
    expect(() => epochOrder(10, 1, -1)).toThrow(RangeError);
  });

  it('deriveSeed separates nearby inputs', () => {
    const seeds = new Set<number>();
    for (let s = 0; s < 20; s++) for (let e = 0; e < 20; e++) seeds.add(deriveSeed(s, e));
    expect(seeds.size).toBe(400);
    expect(deriveSeed(1, 2)).toBe(deriveSeed(1, 2));
    expect(deriveSeed(1, 2)).not.toBe(deriveSeed(1, 2, 0));
  });

  it('splitIndices: disjoint, covering, sized, seeded', () => {
    const { train, val } = splitIndices(1001, 0.2, 5);
    expect(val.length).toBe(Math.round(1001 * 0.2));
    const all = Int32Array.from([...train, ...val]).sort();
    expect(isPermutation(all, 1001)).toBe(true);
    const again = splitIndices(1001, 0.2, 5);
    expect(Array.from(again.val)).toEqual(Array.from(val));
    expect(Array.from(splitIndices(1001, 0.2, 6).val)).not.toEqual(Array.from(val));
    expect(splitIndices(10, 0, 1).val.length).toBe(0);
    expect(splitIndices(10, 1, 1).train.length).toBe(0);
    expect(() => splitIndices(10, 1.5, 1)).toThrow(RangeError);
  });

  it('trainValSplit stratifies by class and keeps samples intact', () => {
    const ds = syntheticDataset({ n: 300, shape: [3, 3, 1], numClasses: 3, seed: 1 });
    const { train, val } = trainValSplit(ds, 0.1, 9);
    expect(classCounts(val)).toEqual([10, 10, 10]);
    expect(classCounts(train)).toEqual([90, 90, 90]);
    expect(train.name).toBe('synthetic/train');
    // every val image is one of the dataset's images with the same label
    const key = (imgs: Float32Array, i: number) =>
      Array.from(imgs.subarray(i * 9, i * 9 + 9)).join();
    const byImage = new Map<string, number>();
    for (let i = 0; i < 300; i++) byImage.set(key(ds.images, i), ds.labels[i]);
    for (let i = 0; i < val.labels.length; i++)
      expect(byImage.get(key(val.images, i))).toBe(val.labels[i]);
    const trainKeys = new Set(Array.from({ length: 270 }, (_, i) => key(train.images, i)));
    for (let i = 0; i < 30; i++) expect(trainKeys.has(key(val.images, i))).toBe(false);
  });

  it('an unstratified split ignores labels but is still seeded', () => {
    const labels = Int32Array.from({ length: 100 }, (_, i) => (i < 90 ? 0 : 1));
    const s = splitIndices(100, 0.5, 3, labels, { stratified: false });
    const t = splitIndices(100, 0.5, 3, labels, { stratified: false });
    expect(s.val.length).toBe(50);
    expect(Array.from(s.val)).toEqual(Array.from(t.val));
    const strat = splitIndices(100, 0.5, 3, labels);
    expect(Array.from(strat.val).filter((i) => labels[i] === 1).length).toBe(5);
  });
});
