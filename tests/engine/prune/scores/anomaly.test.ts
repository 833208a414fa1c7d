// Anomaly degree against hand-computed values (dense and conv fixtures with hand-chosen x'),
// the gradient form against plain-JS derivatives and finite differences, masks, options,
// the full attack path, leaks and cancellation.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { disposeModel, initModel } from '../../../../src/engine/model/init';
import { forward } from '../../../../src/engine/model/forward';
import { prunableLayers } from '../../../../src/engine/model/params';
import {
  anomalyDegree,
  anomalyFromBatches,
  anomalyScores,
  type AnomalyOptions,
} from '../../../../src/engine/prune/scores/anomaly';
import { ScoreInputError } from '../../../../src/engine/prune/scores/common-errors';
import type { ScoreContext } from '../../../../src/engine/prune/scores/context';
import { tinySpec } from '../../model/helpers';
import { convModel, convRef } from './conv-ref';
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
    return await anomalyFromBatches(dense, masks, granularity, hb.batches, opts);
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

  it('per-weight form: A_j · |w_ij| · mean|Δin_i|', async () => {
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
    const want1 = [0, 1].flatMap((i) => [0, 1].map((j) => a1[j] * Math.abs(W1[i][j]) * c1[i]));
    const want2 = [0, 1].flatMap((i) => [0, 1].map((j) => a2[j] * Math.abs(W2[i][j]) * c2[i]));
    expect(s.layers.get('fc1/kernel')?.shape).toEqual([2, 2]);
    expectClose(layerData(s, 'fc1/kernel'), want1);
    expectClose(layerData(s, 'out/kernel'), want2);
    expect(layerData(s, 'out/kernel')[1]).toBe(0); // W2[0][1] = 0 → score 0
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
      // per weight (conv): A_f · |K[kh, kw, 0, f]| · mean_x mean_pixels |x' − x|
      const pw = await anomalyFromBatches(conv, undefined, 'unstructured', hb.batches, {
        form: 'activation',
        delta: 0.05,
        deltaMode: 'absolute',
      });
      const a = layerData(act, 'c1/kernel');
      const c =
        xs.reduce((s, x, b) => s + x.reduce((t, v, i) => t + Math.abs(xa[b][i] - v), 0) / 9, 0) / 2;
      const K = [0.5, -0.3, 0.2, 0.8, -0.4, 0.6, 0.7, -0.1];
      expectClose(
        layerData(pw, 'c1/kernel'),
        K.map((w, k) => a[k % 2] * Math.abs(w) * c),
      );
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
      const pw = await denseScores({ form: 'activation' }, 'unstructured', masks);
      expect([layerData(pw, 'fc1/kernel')[1], layerData(pw, 'fc1/kernel')[3]]).toEqual([0, 0]);
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
  const spec = tinySpec();
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
        const s = await anomalyScores(ctx({ granularity }), { form });
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
