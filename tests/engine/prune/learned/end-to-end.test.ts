// End-to-end pruning: the first mask is the one-shot anomaly mask, the final sparsity is exact,
// pruned weights are exactly 0, the adversarial loss decreases.
import { describe, expect, it } from 'vitest';
import { syntheticDataset } from '@/engine/data/synthetic';
import { cloneModel, disposeModel, initModel, prunableLayers } from '@/engine/model';
import type { ModelSpec } from '@/engine/model';
import { endToEndPrune, rankInitScores } from '@/engine/prune/end-to-end';
import { masksFromScores } from '@/engine/prune/masks';
import type { Granularity, ScoreSet } from '@/engine/prune/types';
import { expectNoLeak } from '../../model/helpers';
import { nonZeroPruned, pretrained, PGD, removedCount } from './helpers';
import { K, SHAPE, tinyBnSpec, tinyMlpSpec } from '../../../fixtures/models';

/** A hand-made anomaly ScoreSet (prune-highest) with many ties: values in {0, 0.1, ..., 0.9}. */
function anomalySet(spec: ModelSpec, granularity: Granularity, seed = 9): ScoreSet {
  let s = seed;
  const rnd = (): number => ((s = (s * 1103515245 + 12345) >>> 0) % 10) / 10;
  const layers = new Map(
    prunableLayers(spec).map((l) => {
      const shape = granularity === 'structured' ? [l.neurons] : [...l.kernelShape];
      const n = shape.reduce((a, b) => a * b, 1);
      const data = Float32Array.from({ length: n }, rnd);
      return [l.kernelName, { kernelName: l.kernelName, layer: l.name, shape, data }];
    }),
  );
  return { method: 'anomaly-activation', granularity, order: 'prune-highest', layers, meta: {} };
}

function asScoreSet(
  init: Map<string, { shape: number[]; data: Float32Array }>,
  g: Granularity,
): ScoreSet {
  const layers = new Map(
    [...init].map(([k, v]) => [k, { kernelName: k, layer: k, shape: v.shape, data: v.data }]),
  );
  return { method: 'x', granularity: g, order: 'prune-lowest', layers, meta: {} };
}

function sameMasks(a: Map<string, { data: ArrayLike<number> }>, b: typeof a): boolean {
  if (a.size !== b.size) return false;
  for (const [k, m] of a) {
    const o = b.get(k);
    if (!o || o.data.length !== m.data.length) return false;
    for (let i = 0; i < m.data.length; i++) if (m.data[i] !== o.data[i]) return false;
  }
  return true;
}

describe('rankInitScores', () => {
  for (const scope of ['global', 'layer'] as const)
    for (const g of ['unstructured', 'structured'] as const)
      it(`gives distinct scores whose top-k is the one-shot anomaly mask (${scope}, ${g})`, () => {
        const spec = g === 'structured' ? tinyBnSpec() : tinyMlpSpec(16);
        const anomaly = anomalySet(spec, g);
        const rule = { sparsity: 0.6, scope, maxLayerSparsity: 0.8 };
        const { init, m0 } = rankInitScores(spec, anomaly, rule);
        expect(sameMasks(m0, masksFromScores(spec, anomaly, rule))).toBe(true);
        const all = [...init.values()].flatMap((v) => Array.from(v.data));
        expect(all.every((x) => x > 0 && x <= 1)).toBe(true);
        if (scope === 'global') expect(new Set(all).size).toBe(all.length);
        expect(sameMasks(masksFromScores(spec, asScoreSet(init, g), rule), m0)).toBe(true);
        // within the kept set, a less anomalous entry ranks higher (order flipped)
        for (const [k, v] of init) {
          const a = anomaly.layers.get(k)?.data as Float32Array;
          const m = m0.get(k)?.data as Uint8Array;
          for (let i = 1; i < a.length; i++)
            if (m[i] && m[i - 1] && a[i] < a[i - 1])
              expect(v.data[i]).toBeGreaterThan(v.data[i - 1]);
        }
      });
});

describe('endToEndPrune', () => {
  it('starts from the anomaly mask, ends at the exact sparsity with zeroed weights, loss falls', async () => {
    const { model, train, val } = await pretrained(2);
    const anomaly = anomalySet(model.spec, 'unstructured');
    const r = await endToEndPrune(model, { train, val }, anomaly, {
      sparsity: 0.8,
      objective: PGD,
      epochs: 4,
      batchSize: 32,
      seed: 1,
      scores: { lr: 0.01 },
      weights: { lr: 0.05 },
      validation: { subsetSize: 32, steps: 2 },
    });
    expect(r.status).toBe('completed');
    expect(sameMasks(r.initialMasks, masksFromScores(model.spec, anomaly, { sparsity: 0.8 }))).toBe(
      true,
    );
    const c = removedCount(r.masks);
    expect(c.removed).toBe(Math.round(0.8 * c.total));
    expect(sameMasks(masksFromScores(model.spec, r.scores, { sparsity: 0.8 }), r.masks)).toBe(true);
    expect(await nonZeroPruned(model, r.masks)).toBe(0);
    expect(r.history).toHaveLength(4);
    expect(r.history[3].trainLoss).toBeLessThan(r.history[0].trainLoss);
    expect(r.history[0].maskFlips).toBeGreaterThan(0);
    expect(r.history[3].valAdvAcc).not.toBeNull();
    disposeModel(model);
  });

  it('structured: exact unit count; pruned units have kernel, bias, gamma, beta exactly 0', async () => {
    const ds = syntheticDataset({ n: 32, shape: SHAPE, numClasses: K, seed: 4 });
    const model = initModel(tinyBnSpec(), 5);
    const r = await endToEndPrune(model, { train: ds }, anomalySet(model.spec, 'structured'), {
      sparsity: 0.5,
      objective: { kind: 'pgd-at', eps: 0.1, steps: 2 },
      epochs: 1,
      batchSize: 16,
    });
    expect(removedCount(r.masks).removed).toBe(2);
    expect(await nonZeroPruned(model, r.masks)).toBe(0);
    disposeModel(model);
  });

  it('refuses a ScoreSet that does not fit and bad options', async () => {
    const model = initModel(tinyMlpSpec(16), 1);
    const ds = syntheticDataset({ n: 8, shape: SHAPE, numClasses: K, seed: 4 });
    const wrong = anomalySet(tinyMlpSpec(8), 'unstructured');
    await expect(
      endToEndPrune(model, { train: ds }, wrong, { sparsity: 0.5, objective: PGD, epochs: 1 }),
    ).rejects.toThrow(/shape/);
    await expect(
      endToEndPrune(model, { train: ds }, anomalySet(model.spec, 'unstructured'), {
        sparsity: 0.5,
        objective: PGD,
        epochs: 0,
      }),
    ).rejects.toThrow(/endToEnd\.epochs/);
    disposeModel(model);
  });

  it('does not leak tensors', async () => {
    const base = initModel(tinyMlpSpec(16), 1);
    const ds = syntheticDataset({ n: 16, shape: SHAPE, numClasses: K, seed: 4 });
    const anomaly = anomalySet(base.spec, 'unstructured');
    await expectNoLeak(async () => {
      const m = cloneModel(base);
      await endToEndPrune(m, { train: ds, val: ds }, anomaly, {
        sparsity: 0.5,
        objective: PGD,
        epochs: 1,
        batchSize: 8,
        validation: { subsetSize: 8, steps: 1 },
      });
      disposeModel(m);
    });
    disposeModel(base);
  });
});
