// Anomaly degree against hand-computed values (dense and conv fixtures with hand-chosen x'),
// the gradient form against plain-JS derivatives and finite differences, the per-weight
// anomaly-weighted magnitude (hand formula, magnitude ranking under uniform anomaly, anomaly
// order among equal magnitudes), masks, options, the full attack path, leaks and cancellation.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { disposeModel, initModel } from '@/engine/model/init';
import { forward } from '@/engine/model/forward';
import { prunableLayers } from '@/engine/model/params';
import { masksFromScores } from '@/engine/prune/masks';
import {
  anomalyDegree,
  anomalyFromBatches,
  anomalyScores,
  anomalyWeightScores,
  type AnomalyOptions,
} from '@/engine/prune/scores/anomaly';
import { magnitudeScores } from '@/engine/prune/scores/magnitude';
import { ScoreInputError } from '@/engine/prune/scores/common-errors';
import type { ScoreContext } from '@/engine/prune/scores/context';
import { K1, WO, convModel, convRef } from './conv-ref';
import {
  CONV_SPEC,
  DENSE_SPEC,
  W1,
  W2,
  denseModel,
  denseRef,
  expectClose,
  expectNoLeak,
  handBatches,
  layerData,
} from './helpers';
import { everyLayerSpec } from '../../../fixtures/models';

const XS = [
  [0.2, 0.4],
  [0.6, 0.1],
];
const XADV = [
  [0.3, 0.3],
  [0.4, 0.35],
];
const YS = [0, 1];

/** Reference anomaly degree from per-sample signals s[b][j]. */
function refA(
  clean: number[][],
  adv: number[][],
  measure: string,
  delta: number,
  layerMode: boolean,
) {
  const n = clean.length;
  const J = clean[0].length;
  let d = delta;
  if (layerMode) d *= clean.flat().reduce((s, v) => s + Math.abs(v), 0) / (n * J);
  return Array.from({ length: J }, (_, j) => {
    let acc = 0;
    for (let b = 0; b < n; b++) {
      const diff = Math.abs(adv[b][j] - clean[b][j]);
      acc += measure === 'relative' ? diff / (Math.abs(clean[b][j]) + d) : diff;
    }
    return acc / n;
  });
}

/**
 * Hand reference of the per-weight score: w as rows (dense: input i; conv: (kh, kw, cin), input
 * row % inDim) × neurons j; keep[r][j] = 0 for masked weights (score 0, out of the means).
 */
function refPerWeight(a: number[], c: number[], w: number[][], keep?: number[][]): number[] {
  const on = (r: number, j: number) => !keep || keep[r][j] !== 0;
  const inp = (r: number) => r % c.length;
  const kept = w.flatMap((row, r) => row.map((v, j) => ({ r, j, v }))).filter((e) => on(e.r, e.j));
  const mean = (xs: number[]) => xs.reduce((t, v) => t + v, 0) / xs.length;
  const wBar = mean(kept.map((e) => Math.abs(e.v)));
  const aBar = mean([...new Set(kept.map((e) => e.j))].map((j) => a[j]));
  const cBar = mean([...new Set(kept.map((e) => inp(e.r)))].map((i) => c[i]));
  return w.flatMap((row, r) =>
    row.map((v, j) => {
      if (!on(r, j)) return 0;
      const an = aBar > 0 ? a[j] / aBar : 1;
      const cn = cBar > 0 ? c[inp(r)] / cBar : 1;
      return (an * cn) / (Math.abs(v) / wBar + 1e-8);
    }),
  );
}

/** Indices sorted by descending value, ties by position. */
const descending = (v: readonly number[]) =>
  v
    .map((x, i) => [x, i])
    .sort((p, q) => q[0] - p[0] || p[1] - q[1])
    .map((p) => p[1]);

const dense = denseModel();
const conv = convModel();
afterAll(() => {
  disposeModel(dense);
  disposeModel(conv);
});

async function denseScores(
  opts: AnomalyOptions,
  granularity: 'structured' | 'unstructured' = 'structured',
  masks?: Map<string, tf.Tensor>,
  batchSize = 2,
) {
  const hb = handBatches(DENSE_SPEC, XS, XADV, YS, batchSize);
  try {
    // these tests check the first definition's arithmetic; the tempered default: dead.test.ts
    return await anomalyFromBatches(dense, masks, granularity, hb.batches, {
      variant: 'naive',
      ...opts,
    });
  } finally {
    hb.dispose();
  }
}

describe("anomaly degree, activation form (dense, hand-chosen x')", () => {
  const clean = XS.map((x, b) => denseRef(x, YS[b]));
  const adv = XADV.map((x, b) => denseRef(x, YS[b]));

  it('relative with absolute δ matches the hand computation, both layers', async () => {
    const s = await denseScores({ form: 'activation', delta: 0.05, deltaMode: 'absolute' });
    expect(s.order).toBe('prune-highest');
    expect(s.method).toBe('anomaly-activation');
    expectClose(
      layerData(s, 'fc1/kernel'),
      refA(
        clean.map((r) => r.h),
        adv.map((r) => r.h),
        'relative',
        0.05,
        false,
      ),
    );
    expectClose(
      layerData(s, 'out/kernel'),
      refA(
        clean.map((r) => r.z),
        adv.map((r) => r.z),
        'relative',
        0.05,
        false,
      ),
    );
    // sample 2's unit 1 is dead on x (h = 0) and wakes up on x' (h = 0.1): 0.1/δ dominates
    expect(layerData(s, 'fc1/kernel')[1]).toBeGreaterThan(layerData(s, 'fc1/kernel')[0]);
  });

  it('default δ is 0.01 × the layer mean |a(x)|; absolute measure drops the denominator', async () => {
    const rel = await denseScores({ form: 'activation' });
    expectClose(
      layerData(rel, 'fc1/kernel'),
      refA(
        clean.map((r) => r.h),
        adv.map((r) => r.h),
        'relative',
        0.01,
        true,
      ),
    );
    const abs = await denseScores({ form: 'activation', measure: 'absolute' });
    const want = refA(
      clean.map((r) => r.h),
      adv.map((r) => r.h),
      'absolute',
      0,
      false,
    );
    expectClose(layerData(abs, 'fc1/kernel'), want);
    expect(want[0]).toBeCloseTo((0.05 + 0.075) / 2, 6); // |0.55 − 0.5|, |0.675 − 0.75|
    expect(abs.meta.measure).toBe('absolute');
  });

  it('does not depend on the batch size', async () => {
    const a = await denseScores({ form: 'activation' }, 'unstructured', undefined, 1);
    const b = await denseScores({ form: 'activation' }, 'unstructured', undefined, 2);
    expectClose(layerData(a, 'fc1/kernel'), layerData(b, 'fc1/kernel'));
  });

  it('per-weight form: (A_j/Ā)·(c_i/c̄) / (|w_ij|/mean|w| + ε), hand-computed', async () => {
    const s = await denseScores(
      { form: 'activation', delta: 0.05, deltaMode: 'absolute' },
      'unstructured',
    );
    const a1 = refA(
      clean.map((r) => r.h),
      adv.map((r) => r.h),
      'relative',
      0.05,
      false,
    );
    const a2 = refA(
      clean.map((r) => r.z),
      adv.map((r) => r.z),
      'relative',
      0.05,
      false,
    );
    const c1 = [0, 1].map(
      (i) => (Math.abs(XADV[0][i] - XS[0][i]) + Math.abs(XADV[1][i] - XS[1][i])) / 2,
    );
    const c2 = [0, 1].map(
      (i) => (Math.abs(adv[0].h[i] - clean[0].h[i]) + Math.abs(adv[1].h[i] - clean[1].h[i])) / 2,
    );
    // fc1: mean|w| = (1 + 1 + 0.5 + 2)/4 = 1.125; written out for weight (1, 1) = 2
    const aBar = (a1[0] + a1[1]) / 2;
    const cBar = (c1[0] + c1[1]) / 2;
    const want11 = ((a1[1] / aBar) * (c1[1] / cBar)) / (2 / 1.125 + 1e-8);
    expect(layerData(s, 'fc1/kernel')[3]).toBeCloseTo(want11, 5);
    expect(s.layers.get('fc1/kernel')?.shape).toEqual([2, 2]);
    expectClose(layerData(s, 'fc1/kernel'), refPerWeight(a1, c1, W1));
    expectClose(layerData(s, 'out/kernel'), refPerWeight(a2, c2, W2));
    // W2[0][1] = 0 on an input that changes, into a neuron that changes: the first to go
    const out = layerData(s, 'out/kernel');
    expect(a2[1] * c2[0]).toBeGreaterThan(0);
    expect(descending(out)[0]).toBe(1);
    expect(Number.isFinite(out[1])).toBe(true);
    // W1[0] = [1, −1]: same input, same |w|; unit 1 is the more anomalous, so (0, 1) goes first
    expect(a1[1]).toBeGreaterThan(a1[0]);
    expect(layerData(s, 'fc1/kernel')[1]).toBeGreaterThan(layerData(s, 'fc1/kernel')[0]);
  });
});

describe('per-weight anomaly-weighted magnitude (anomalyWeightScores)', () => {
  it('with constant A and c, ranks a layer exactly as magnitude pruning does (small first)', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    const J = 5;
    const inDim = 3;
    const w = Array.from({ length: 2 * 2 * inDim * J }, rand); // HWIO [2, 2, 3, 5]
    const s = anomalyWeightScores(new Array(J).fill(0.7), new Array(inDim).fill(3), w, J, inDim);
    const byMagnitude = w
      .map((v, k) => [Math.abs(v), k])
      .sort((p, q) => p[0] - q[0] || p[1] - q[1])
      .map((p) => p[1]);
    expect(new Set(w.map(Math.abs)).size).toBe(w.length); // distinct: the ranking is strict
    expect(descending(Array.from(s))).toEqual(byMagnitude);
    // uniform factors are 1: score = 1 / (|w| / mean|w| + ε)
    const wBar = w.reduce((t, v) => t + Math.abs(v), 0) / w.length;
    expectClose(
      Array.from(s),
      w.map((v) => 1 / (Math.abs(v) / wBar + 1e-8)),
    );
  });

  it('a larger A_j·c_i ranks before an equal-magnitude weight with a smaller one', () => {
    // [in 2, out 2], |w| = 0.5 everywhere; A = [1, 3], c = [2, 1]: A_j·c_i = 2, 6, 1, 3
    const s = Array.from(anomalyWeightScores([1, 3], [2, 1], [0.5, -0.5, -0.5, 0.5], 2, 2));
    expect(descending(s)).toEqual([1, 3, 0, 2]);
    // Ā = 2, c̄ = 1.5, mean|w| = 0.5: score = (A_j/2)·(c_i/1.5) / (1 + ε)
    expectClose(
      s,
      [2, 6, 1, 3].map((ac) => ac / 3 / (1 + 1e-8)),
    );
    // a smaller weight beats a larger one on the same path
    const t = anomalyWeightScores([1, 1], [1, 1], [0.2, 0.9, 0.9, 0.9], 2, 2);
    expect(t[0]).toBeGreaterThan(t[1]);
  });

  it('is scale-free per layer; zero-mean factors are 1; masked weights are 0 and out of the means', () => {
    const a = [0.2, 0.5, 0.1];
    const c = [1, 4];
    const w = [0.3, -0.1, 0.8, 0.05, 0.4, -0.2];
    const base = Array.from(anomalyWeightScores(a, c, w, 3, 2));
    const scaled = anomalyWeightScores(
      a.map((v) => v * 1e3),
      c.map((v) => v * 1e-2),
      w.map((v) => v * 50),
      3,
      2,
    );
    expectClose(Array.from(scaled), base);
    const rows = [w.slice(0, 3), w.slice(3)];
    expectClose(
      Array.from(anomalyWeightScores([0, 0, 0], c, w, 3, 2)),
      refPerWeight([0, 0, 0], c, rows),
    );
    expectClose(
      Array.from(anomalyWeightScores([0, 0, 0], [0, 0], w, 3, 2)),
      refPerWeight([1, 1, 1], [1, 1], rows),
    );
    const keep = [
      [0, 1, 1],
      [1, 1, 0],
    ];
    const m = anomalyWeightScores(a, c, w, 3, 2, { data: keep.flat(), perNeuron: false });
    expect([m[0], m[5]]).toEqual([0, 0]);
    expectClose(Array.from(m), refPerWeight(a, c, rows, keep));
    const pn = anomalyWeightScores(a, c, w, 3, 2, { data: [1, 0, 1], perNeuron: true });
    expectClose(
      Array.from(pn),
      refPerWeight(a, c, rows, [
        [1, 0, 1],
        [1, 0, 1],
      ]),
    );
  });

  it("without anomaly (x' = x) the model's masks equal magnitude pruning's, layer by layer", async () => {
    const xs = [
      [0.1, 0.5, 0.9, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6],
      [0.9, 0.1, 0.4, 0.6, 0.2, 0.8, 0.3, 0.5, 0.7],
    ];
    const hb = handBatches(CONV_SPEC, xs, xs, [1, 0], 2);
    try {
      const s = await anomalyFromBatches(conv, undefined, 'unstructured', hb.batches, {
        variant: 'naive',
        form: 'gradient',
      });
      const mag = await magnitudeScores(conv, 'unstructured');
      for (const [kernel, w] of [
        ['c1/kernel', K1],
        ['out/kernel', WO],
      ] as const) {
        const wBar = w.reduce((t, v) => t + Math.abs(v), 0) / w.length;
        expectClose(
          layerData(s, kernel),
          w.map((v) => 1 / (Math.abs(v) / wBar + 1e-8)),
        );
      }
      for (const sparsity of [0.25, 0.5, 0.75])
        expect(masksFromScores(CONV_SPEC, s, { sparsity, scope: 'layer' })).toEqual(
          masksFromScores(CONV_SPEC, mag, { sparsity, scope: 'layer' }),
        );
    } finally {
      hb.dispose();
    }
  });
});

describe('anomaly degree, gradient form', () => {
  it('dense: g = ∂CE/∂a from the hand derivation', async () => {
    const clean = XS.map((x, b) => denseRef(x, YS[b]));
    const adv = XADV.map((x, b) => denseRef(x, YS[b]));
    const s = await denseScores({ form: 'gradient', delta: 0.02, deltaMode: 'absolute' });
    expect(s.method).toBe('anomaly-gradient');
    expectClose(
      layerData(s, 'fc1/kernel'),
      refA(
        clean.map((r) => r.gh),
        adv.map((r) => r.gh),
        'relative',
        0.02,
        false,
      ),
      1e-4,
    );
    expectClose(
      layerData(s, 'out/kernel'),
      refA(
        clean.map((r) => r.dz),
        adv.map((r) => r.dz),
        'relative',
        0.02,
        false,
      ),
      1e-4,
    );
  });

  it('conv: spatial mean of g matches the JS derivative and a finite difference of a channel shift', async () => {
    const xs = [
      [0.1, 0.5, 0.9, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6],
      [0.9, 0.1, 0.4, 0.6, 0.2, 0.8, 0.3, 0.5, 0.7],
    ];
    const xa = xs.map((x) => x.map((v, i) => Math.min(1, Math.max(0, v + (i % 2 ? 0.1 : -0.1)))));
    const ys = [1, 0];
    const cl = xs.map((x, b) => convRef(x, ys[b]));
    const ad = xa.map((x, b) => convRef(x, ys[b]));
    // finite difference: L(a + h on channel f) − L(a − h) / 2h = Σ_positions g = 4 · mean g
    const L = (x: number[], y: number, f: number, h: number) =>
      tf.tidy(() => {
        const inj = tf.tensor4d(
          Array.from({ length: 8 }, (_, i) => (i % 2 === f ? h : 0)),
          [1, 2, 2, 2],
        );
        const z = forward(conv, tf.tensor4d(x, [1, 3, 3, 1]), {
          inject: new Map([['c1', inj]]),
        }).logits;
        return tf.sub(tf.logSumExp(z, 1), tf.reshape(tf.slice(z, [0, y], [1, 1]), [1]));
      });
    for (const f of [0, 1]) {
      const up = await L(xs[0], ys[0], f, 1e-2).data();
      const dn = await L(xs[0], ys[0], f, -1e-2).data();
      expect((up[0] - dn[0]) / 2e-2 / 4).toBeCloseTo(cl[0].gMean[f], 3);
    }
    const hb = handBatches(CONV_SPEC, xs, xa, ys, 1);
    try {
      const act = await anomalyFromBatches(conv, undefined, 'structured', hb.batches, {
        variant: 'naive',
        form: 'activation',
        delta: 0.05,
        deltaMode: 'absolute',
      });
      expectClose(
        layerData(act, 'c1/kernel'),
        refA(
          cl.map((r) => r.aMean),
          ad.map((r) => r.aMean),
          'relative',
          0.05,
          false,
        ),
      );
      const grad = await anomalyFromBatches(conv, undefined, 'structured', hb.batches, {
        variant: 'naive',
        form: 'gradient',
      });
      expectClose(
        layerData(grad, 'c1/kernel'),
        refA(
          cl.map((r) => r.gMean),
          ad.map((r) => r.gMean),
          'relative',
          0.01,
          true,
        ),
        1e-4,
      );
      // per weight (conv, Cin = 1 so c_i / c̄ = 1): (A_f / Ā) / (|K[kh, kw, 0, f]| / mean|K| + ε)
      for (const [form, sig] of [
        ['activation', (r: ReturnType<typeof convRef>) => r.aMean],
        ['gradient', (r: ReturnType<typeof convRef>) => r.gMean],
      ] as const) {
        const pw = await anomalyFromBatches(conv, undefined, 'unstructured', hb.batches, {
          variant: 'naive',
          form,
          delta: 0.05,
          deltaMode: 'absolute',
        });
        const a = refA(cl.map(sig), ad.map(sig), 'relative', 0.05, false);
        const c =
          xs.reduce((s, x, b) => s + x.reduce((t, v, i) => t + Math.abs(xa[b][i] - v), 0) / 9, 0) /
          2;
        const rows = [0, 1, 2, 3].map((r) => K1.slice(2 * r, 2 * r + 2));
        expectClose(layerData(pw, 'c1/kernel'), refPerWeight(a, [c], rows), 1e-4);
        const wBar = K1.reduce((t, v) => t + Math.abs(v), 0) / 8;
        expectClose(
          layerData(pw, 'c1/kernel'),
          K1.map((w, k) => a[k % 2] / ((a[0] + a[1]) / 2) / (Math.abs(w) / wBar + 1e-8)),
          1e-4,
        );
      }
    } finally {
      hb.dispose();
    }
  });
});

describe('anomaly degree: masks, order, options', () => {
  it('a structured-masked neuron scores exactly 0 in every form; the rest see the masked forward', async () => {
    const masks = new Map([['fc1/kernel', tf.tensor1d([1, 0])]]);
    try {
      const clean = XS.map((x, b) => denseRef(x, YS[b], [1, 0]));
      const adv = XADV.map((x, b) => denseRef(x, YS[b], [1, 0]));
      for (const form of ['activation', 'gradient'] as const) {
        const s = await denseScores(
          { form, delta: 0.05, deltaMode: 'absolute' },
          'structured',
          masks,
        );
        expect(layerData(s, 'fc1/kernel')[1]).toBe(0);
        const sig =
          form === 'activation'
            ? (r: ReturnType<typeof denseRef>) => r.z
            : (r: ReturnType<typeof denseRef>) => r.dz;
        expectClose(
          layerData(s, 'out/kernel'),
          refA(clean.map(sig), adv.map(sig), 'relative', 0.05, false),
          1e-4,
        );
      }
      const unmasked = await denseScores({ form: 'gradient' });
      expect(layerData(unmasked, 'fc1/kernel')[1]).toBeGreaterThan(0); // g ≠ 0 without the mask
      const pw = await denseScores(
        { form: 'activation', delta: 0.05, deltaMode: 'absolute' },
        'unstructured',
        masks,
      );
      expect([layerData(pw, 'fc1/kernel')[1], layerData(pw, 'fc1/kernel')[3]]).toEqual([0, 0]);
      // kept column 0: Ā = A_0, c̄ over both inputs, mean|w| over the kept W1[·][0] = 0.75
      const c1 = [0, 1].map(
        (i) => (Math.abs(XADV[0][i] - XS[0][i]) + Math.abs(XADV[1][i] - XS[1][i])) / 2,
      );
      const cBar = (c1[0] + c1[1]) / 2;
      expectClose(
        [layerData(pw, 'fc1/kernel')[0], layerData(pw, 'fc1/kernel')[2]],
        [0, 1].map((i) => c1[i] / cBar / (Math.abs(W1[i][0]) / 0.75 + 1e-8)),
      );
      // out: the masked unit's h never changes, c_1 = 0, so its row scores 0
      const a2 = refA(
        clean.map((r) => r.z),
        adv.map((r) => r.z),
        'relative',
        0.05,
        false,
      );
      const c2 = [0, 1].map(
        (i) => (Math.abs(adv[0].h[i] - clean[0].h[i]) + Math.abs(adv[1].h[i] - clean[1].h[i])) / 2,
      );
      expect(c2[1]).toBe(0);
      expectClose(layerData(pw, 'out/kernel'), refPerWeight(a2, c2, W2));
    } finally {
      tf.dispose([...masks.values()]);
    }
  });

  it('order can be flipped; bad options throw ScoreInputError naming the field', async () => {
    expect((await denseScores({ form: 'activation', order: 'prune-lowest' })).order).toBe(
      'prune-lowest',
    );
    for (const [bad, field] of [
      [{ form: 'weights' }, 'form'],
      [{ form: 'activation', measure: 'ratio' }, 'measure'],
      [{ form: 'activation', delta: -1 }, 'delta'],
      [{ form: 'activation', delta: NaN }, 'delta'],
      [{ form: 'activation', deltaMode: 'global' }, 'deltaMode'],
    ] as const) {
      const err = await denseScores(bad as unknown as AnomalyOptions).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ScoreInputError);
      expect((err as ScoreInputError).field).toBe(field);
    }
  });

  it('anomalyDegree stays finite with a zero layer and δ = 0 (δ floor)', () => {
    const z = new Float32Array(4);
    const a = anomalyDegree(z, Float32Array.from([0, 1, 0, 2]), 2, 2, 0, 2, {
      measure: 'relative',
      delta: 0,
      deltaMode: 'layer',
    });
    expect([...a].every(Number.isFinite)).toBe(true);
    expect(a[0]).toBe(0);
    expect(a[1]).toBeGreaterThan(1e10);
  });
});

describe('anomalyScores on a real attack (BN + residual tiny model)', () => {
  const spec = everyLayerSpec();
  const model = initModel(spec, 5);
  afterAll(() => disposeModel(model));
  const n = 6;
  const size = 6 * 6 * 2;
  const ctx = (over: Partial<ScoreContext> = {}): ScoreContext => ({
    model,
    data: {
      x: Float32Array.from({ length: n * size }, (_, i) => ((i * 37) % 101) / 100),
      y: Int32Array.from({ length: n }, (_, i) => i % 3),
      shape: [6, 6, 2],
    },
    attack: { name: 'fgsm', options: { eps: 0.1 } },
    granularity: 'structured',
    batchSize: 4,
    seed: 1,
    ...over,
  });

  it('scores every prunable layer, finite and ≥ 0, in both granularities and forms', async () => {
    for (const granularity of ['structured', 'unstructured'] as const)
      for (const form of ['activation', 'gradient'] as const) {
        const s = await anomalyScores(ctx({ granularity }), { form, variant: 'naive' });
        expect([...s.layers.keys()]).toEqual(
          ['c1', 'b1/conv1', 'b1/conv2', 'b1/shortcut', 'b2/conv1', 'b2/conv2', 'd1', 'out'].map(
            (l) => `${l}/kernel`,
          ),
        );
        for (const l of s.layers.values()) {
          expect(l.data.length).toBe(l.shape.reduce((a, b) => a * b, 1));
          const pl = prunableLayers(spec).find((p) => p.kernelName === l.kernelName);
          expect(l.shape).toEqual(granularity === 'structured' ? [pl?.neurons] : pl?.kernelShape);
          expect([...l.data].every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
        }
        expect(s.meta.samples).toBe(n);
        expect(s.meta.attack).toBe('fgsm');
        expect([...s.layers.values()].some((l) => l.data.some((v) => v > 0))).toBe(true);
      }
  });

  it('reports progress, leaks no tensor, and cancels', async () => {
    const seen: number[] = [];
    await anomalyScores(ctx({ onProgress: (d) => seen.push(d) }), { form: 'activation' });
    expect(seen).toEqual([0, 4, 6]);
    await expectNoLeak(
      () => anomalyScores(ctx({ granularity: 'unstructured' }), { form: 'gradient' }),
      2,
    );
    const signal = { aborted: false };
    const before = tf.memory().numTensors;
    const p = anomalyScores(ctx({ signal, onProgress: (d) => d > 0 && (signal.aborted = true) }), {
      form: 'activation',
    });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(tf.memory().numTensors).toBe(before);
  });
});
