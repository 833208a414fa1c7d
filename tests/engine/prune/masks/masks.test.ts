/**
 * masksFromScores: exact sparsity (global and layer-wise, unstructured and structured, with ties,
 * caps and exclusions), order, determinism, the brute-force ranking, and typed errors.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { lenetSpec } from '@/engine/model/spec';
import {
  MaskError,
  disposeMasks,
  masksFromScores,
  prunableKernels,
  toTensorMasks,
} from '@/engine/prune/masks';
import { prunableLayers } from '@/engine/model/params';
import type { Granularity, PlainMasks, ScoreSet } from '@/engine/prune/types';
import { expectNoLeak, makeScores, microMlp, randomScores, removedCounts } from './helpers';
import { validConvSpec } from '../../../fixtures/models';

const GRANS: Granularity[] = ['unstructured', 'structured'];

/** (kernel, index) of every eligible element, sorted by priority then position: brute force. */
function bruteOrder(s: ScoreSet, kernels: string[]): [string, number][] {
  const items: { k: string; i: number; key: number; pos: number }[] = [];
  let pos = 0;
  for (const k of kernels) {
    const d = (s.layers.get(k) as { data: Float32Array }).data;
    d.forEach((v, i) => items.push({ k, i, key: s.order === 'prune-lowest' ? v : -v, pos: pos++ }));
  }
  items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.pos - b.pos));
  return items.map((e) => [e.k, e.i]);
}

function zeros(m: PlainMasks): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of m) v.data.forEach((x, i) => x === 0 && out.add(`${k}#${i}`));
  return out;
}

describe('prunableKernels', () => {
  it('structured always excludes the head; unstructured excludes nothing by default', () => {
    const spec = lenetSpec();
    const all = prunableLayers(spec).map((l) => l.kernelName);
    expect(prunableKernels(spec, 'unstructured').map((l) => l.kernelName)).toEqual(all);
    expect(prunableKernels(spec, 'structured').map((l) => l.kernelName)).toEqual(all.slice(0, -1));
    expect(prunableKernels(spec, 'structured', ['conv1/kernel']).map((l) => l.kernelName)).toEqual(
      all.slice(1, -1),
    );
    expect(() => prunableKernels(spec, 'unstructured', ['nope/kernel'])).toThrow(MaskError);
  });
});

describe('exact sparsity, global', () => {
  for (const g of GRANS)
    for (const ties of [false, true])
      it(`${g}, ties ${ties}: removes round(s·N), exactly the first of the ranking`, () => {
        const spec = validConvSpec();
        const s = randomScores(spec, g, 7, { ties });
        const kernels = prunableKernels(spec, g).map((l) => l.kernelName);
        const order = bruteOrder(s, kernels);
        const sizes = new Map(kernels.map((k) => [k, s.layers.get(k)?.data.length ?? 0]));
        for (const cap of [1, 0.65])
          for (const sp of [0, 0.1, 0.33, 0.5, 0.6]) {
            const m = masksFromScores(spec, s, { sparsity: sp, maxLayerSparsity: cap });
            expect([...m.keys()]).toEqual(kernels);
            const want = Math.round(sp * order.length);
            // reference: walk the brute-force ranking, skipping layers at their cap
            const count = new Map(kernels.map((k) => [k, 0]));
            const ref = new Set<string>();
            for (const [k, i] of order) {
              if (ref.size === want) break;
              const n = sizes.get(k) ?? 0;
              const c = Math.min(Math.floor(cap * n + 1e-9), g === 'structured' ? n - 1 : n);
              if ((count.get(k) ?? 0) >= c) continue;
              count.set(k, (count.get(k) ?? 0) + 1);
              ref.add(`${k}#${i}`);
            }
            expect(zeros(m).size).toBe(want);
            expect(zeros(m)).toEqual(ref);
          }
      });

  it('order: prune-highest removes the largest scores, prune-lowest the smallest', () => {
    const spec = microMlp();
    const value = (_l: unknown, i: number): number => i; // 0..n-1 in every layer
    const lo = masksFromScores(spec, makeScores(spec, 'unstructured', 'prune-lowest', value), {
      sparsity: 0.25,
      scope: 'layer',
    });
    const hi = masksFromScores(spec, makeScores(spec, 'unstructured', 'prune-highest', value), {
      sparsity: 0.25,
      scope: 'layer',
    });
    const fc2lo = [...(lo.get('fc2/kernel')?.data ?? [])];
    const fc2hi = [...(hi.get('fc2/kernel')?.data ?? [])];
    expect(fc2lo).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1]); // 3 of 12 lowest
    expect(fc2hi).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]); // 3 of 12 highest
  });

  it('is deterministic, with ties broken by position (earlier layer, lower index first)', () => {
    const spec = microMlp();
    const s = makeScores(spec, 'unstructured', 'prune-lowest', () => 1); // all tied
    const a = masksFromScores(spec, s, { sparsity: 0.4 });
    const b = masksFromScores(spec, s, { sparsity: 0.4 });
    expect(a).toEqual(b);
    // N = 12 + 12 + 8 = 32, remove 13: all of fc1 (12, cap 0.99 → 11!) — cap binds: 11 + 2
    expect(removedCounts(a)).toEqual(
      new Map([
        ['fc1/kernel', 11],
        ['fc2/kernel', 2],
        ['head/kernel', 0],
      ]),
    );
    expect([...(a.get('fc2/kernel')?.data ?? [])].slice(0, 3)).toEqual([0, 0, 1]);
  });
});

describe('caps', () => {
  it('a binding cap sends the remainder to other layers in ranking order', () => {
    const spec = microMlp();
    // fc1 ranks first everywhere: cap 0.5 keeps 6 of its 12
    const s = makeScores(spec, 'unstructured', 'prune-lowest', (l, i) =>
      l.name === 'fc1' ? -100 + i : l.name === 'fc2' ? 10 + i : i,
    );
    const m = masksFromScores(spec, s, { sparsity: 0.5, maxLayerSparsity: 0.5 });
    // 16 removed: fc1 6 (cap), then the head's 8 scores 0..7 rank before fc2's 10..21: 4 (cap) + fc2 6
    expect(removedCounts(m)).toEqual(
      new Map([
        ['fc1/kernel', 6],
        ['fc2/kernel', 6],
        ['head/kernel', 4],
      ]),
    );
  });

  it('structured keeps at least one unit per layer; default cap 0.9', () => {
    const spec = microMlp();
    for (const sp of [0.4, 0.7]) {
      const m = masksFromScores(spec, randomScores(spec, 'structured', 3), {
        sparsity: sp,
        maxLayerSparsity: 1,
      });
      expect([...m.keys()]).toEqual(['fc1/kernel', 'fc2/kernel']); // head excluded
      const r = removedCounts(m);
      expect((r.get('fc1/kernel') ?? 0) + (r.get('fc2/kernel') ?? 0)).toBe(Math.round(sp * 7));
      expect(r.get('fc1/kernel')).toBeLessThanOrEqual(2);
      expect(r.get('fc2/kernel')).toBeLessThanOrEqual(3);
    }
  });

  it('an unreachable sparsity throws naming the achievable maximum', () => {
    const spec = microMlp();
    const s = randomScores(spec, 'structured', 3);
    // caps: fc1 ⌊0.9·3⌋ = 2, fc2 min(⌊3.6⌋, 3) = 3 → 5 of 7
    expect(() => masksFromScores(spec, s, { sparsity: 0.9 })).toThrow(/at most 5 .*0\.714286/);
    expect(() => masksFromScores(spec, s, { sparsity: 0.9, scope: 'layer' })).toThrow(MaskError);
  });
});

describe('exact sparsity, layer-wise', () => {
  for (const g of GRANS)
    it(`${g}: each layer loses round(s·n_l), its lowest-ranked`, () => {
      const spec = lenetSpec();
      const s = randomScores(spec, g, 11, { ties: true });
      for (const sp of [0.2, 0.5, 0.7]) {
        const m = masksFromScores(spec, s, { sparsity: sp, scope: 'layer' });
        for (const [k, mask] of m) {
          const n = mask.data.length;
          const order = bruteOrder(s, [k]);
          const want = Math.round(sp * n);
          expect(removedCounts(m).get(k)).toBe(want);
          expect(zeros(new Map([[k, mask]]))).toEqual(
            new Set(order.slice(0, want).map(([kk, i]) => `${kk}#${i}`)),
          );
        }
      }
    });

  it('with a binding cap the total is still Σ round(s·n_l)', () => {
    const spec = microMlp(2, 10); // structured: fc1 2 units (cap 1), fc2 10 (cap 9)
    const s = randomScores(spec, 'structured', 5);
    const m = masksFromScores(spec, s, { sparsity: 0.8, scope: 'layer' });
    // targets round(1.6) = 2 (capped to 1) and 8: the 1 left over goes to fc2, its next-ranked
    expect(removedCounts(m)).toEqual(
      new Map([
        ['fc1/kernel', 1],
        ['fc2/kernel', 9],
      ]),
    );
    const fc2 = zeros(new Map([['fc2/kernel', m.get('fc2/kernel')!]]));
    expect(fc2).toEqual(
      new Set(
        bruteOrder(s, ['fc2/kernel'])
          .slice(0, 9)
          .map(([k, i]) => `${k}#${i}`),
      ),
    );
    // round(1.8) + 9 = 11 > 1 + 9
    expect(() => masksFromScores(spec, s, { sparsity: 0.9, scope: 'layer' })).toThrow(/at most 10/);
  });
});

describe('exclusions', () => {
  it('excluded kernels get no mask and count nowhere', () => {
    const spec = microMlp();
    const s = randomScores(spec, 'unstructured', 2);
    const m = masksFromScores(spec, s, { sparsity: 0.5, exclude: ['fc2/kernel'] });
    expect([...m.keys()]).toEqual(['fc1/kernel', 'head/kernel']);
    const r = removedCounts(m);
    expect((r.get('fc1/kernel') ?? 0) + (r.get('head/kernel') ?? 0)).toBe(10); // of 20
  });
});

describe('errors', () => {
  const spec = microMlp();
  it('NaN scores name the layer', () => {
    const s = makeScores(spec, 'unstructured', 'prune-lowest', (l, i) =>
      l.name === 'fc2' && i === 3 ? NaN : 1,
    );
    expect(() => masksFromScores(spec, s, { sparsity: 0.5 })).toThrow(/'fc2'.*NaN/);
  });
  it('bad sparsity, wrong granularity shape, missing or unknown layers', () => {
    const s = randomScores(spec, 'unstructured', 1);
    expect(() => masksFromScores(spec, s, { sparsity: 1 })).toThrow(MaskError);
    expect(() => masksFromScores(spec, s, { sparsity: -0.1 })).toThrow(MaskError);
    expect(() => masksFromScores(spec, s, { sparsity: 0.5, maxLayerSparsity: 2 })).toThrow(
      /maxLayerSparsity/,
    );
    const missing: ScoreSet = { ...s, layers: new Map([...s.layers].slice(1)) };
    expect(() => masksFromScores(spec, missing, { sparsity: 0.5 })).toThrow(/fc1\/kernel/);
    const wrong: ScoreSet = { ...s, granularity: 'structured' };
    expect(() => masksFromScores(spec, wrong, { sparsity: 0.5 })).toThrow(/shape/);
    const unknown: ScoreSet = {
      ...s,
      layers: new Map([...s.layers, ['x/kernel', s.layers.get('fc1/kernel')!]]),
    };
    expect(() => masksFromScores(spec, unknown, { sparsity: 0.5 })).toThrow(/x\/kernel/);
  });
});

describe('toTensorMasks', () => {
  it('float32 tensors with the masks values; disposeMasks frees them', async () => {
    const spec = microMlp();
    const m = masksFromScores(spec, randomScores(spec, 'structured', 4), { sparsity: 0.4 });
    const t = toTensorMasks(m);
    for (const [k, v] of m) {
      const tk = t.get(k) as tf.Tensor;
      expect(tk.dtype).toBe('float32');
      expect(tk.shape).toEqual(v.shape);
      expect([...(await tk.data())]).toEqual([...v.data]);
    }
    disposeMasks(t);
    expect(t.size).toBe(0);
    await expectNoLeak(() => disposeMasks(toTensorMasks(m)));
  });
});
