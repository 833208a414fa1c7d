// HYDRA learned scores: init, exact sparsity, the adversarial loss improves, model untouched.
import type * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '@/engine/data/dataset';
import { disposeModel, initModel } from '@/engine/model';
import type { Model } from '@/engine/model/types';
import { masksFromScores } from '@/engine/prune/masks';
import { hydraInitScores, learnedScores } from '@/engine/prune/scores/learned';
import type { ScoreSet } from '@/engine/prune/types';
import { syntheticDataset } from '@/engine/data/synthetic';
import { expectNoLeak } from '../../model/helpers';
import { countBitDifferences, weightsOf } from '../../train/helpers';
import { advLoss, pretrained, PGD, removedCount } from './helpers';
import { K, SHAPE, tinyBnSpec } from '../../../fixtures/models';

let model: Model;
let train: Dataset;

beforeAll(async () => {
  ({ model, train } = await pretrained());
});
afterAll(() => disposeModel(model));

function initSet(init: Map<string, { shape: number[]; data: Float32Array }>): ScoreSet {
  const layers = new Map(
    [...init].map(([k, v]) => [
      k,
      { kernelName: k, layer: k.split('/')[0], shape: v.shape, data: v.data.map(Math.abs) },
    ]),
  );
  return { method: 'init', granularity: 'unstructured', order: 'prune-lowest', layers, meta: {} };
}

describe('hydraInitScores', () => {
  it('is √(6/fan_in)·w/max|w| per layer', async () => {
    const init = await hydraInitScores(model, 'unstructured');
    for (const [k, v] of init) {
      const w = await (model.params.get(k) as tf.Variable).data();
      const max = Math.max(...Array.from(w, Math.abs));
      const fanIn = v.shape[0];
      for (let i = 0; i < w.length; i += 7)
        expect(v.data[i]).toBeCloseTo((Math.sqrt(6 / fanIn) * w[i]) / max, 6);
      expect(Math.max(...Array.from(v.data, Math.abs))).toBeCloseTo(Math.sqrt(6 / fanIn), 6);
    }
  });
});

describe('learnedScores (HYDRA)', () => {
  it('lowers the adversarial loss of the masked model at the exact sparsity, model untouched', async () => {
    const rule = { sparsity: 0.7, scope: 'layer' as const };
    const before = await weightsOf(model);
    const start = masksFromScores(
      model.spec,
      initSet(await hydraInitScores(model, 'unstructured')),
      rule,
    );
    const losses: number[] = [];
    const s = await learnedScores(
      model,
      { train },
      {
        granularity: 'unstructured',
        ...rule,
        objective: PGD,
        epochs: 4,
        batchSize: 32,
        seed: 2,
        onEpochEnd: (e) => losses.push(e.trainLoss),
      },
    );
    expect(s.method).toBe('learned');
    expect(s.order).toBe('prune-lowest');
    expect(s.meta.status).toBe('completed');
    expect(countBitDifferences(before, await weightsOf(model))).toBe(0);
    const end = masksFromScores(model.spec, s, rule);
    const c = removedCount(end);
    for (const [k, m] of end) expect(c.per.get(k)).toBe(Math.round(0.7 * m.data.length));
    const l0 = await advLoss(model, start, train);
    const l1 = await advLoss(model, end, train);
    expect(l1).toBeLessThan(l0);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
  });

  it('structured scores on a conv+BN model: exact unit count, BN statistics untouched', async () => {
    const ds = syntheticDataset({ n: 32, shape: SHAPE, numClasses: K, seed: 4 });
    const m = initModel(tinyBnSpec(), 3);
    const before = await weightsOf(m);
    const s = await learnedScores(
      m,
      { train: ds },
      {
        granularity: 'structured',
        sparsity: 0.5,
        objective: { kind: 'trades', eps: 0.1, steps: 2 },
        epochs: 1,
        batchSize: 16,
      },
    );
    expect(s.granularity).toBe('structured');
    expect(countBitDifferences(before, await weightsOf(m))).toBe(0);
    const masks = masksFromScores(m.spec, s, { sparsity: 0.5 });
    expect([...masks.keys()]).toEqual(['conv1/kernel']); // the head is never pruned structurally
    expect(removedCount(masks).removed).toBe(2);
    disposeModel(m);
  });

  it('stops on the signal between steps and returns the scores so far', async () => {
    const signal = { aborted: false };
    let steps = 0;
    const s = await learnedScores(
      model,
      { train },
      {
        granularity: 'unstructured',
        sparsity: 0.5,
        objective: PGD,
        epochs: 3,
        batchSize: 32,
        signal,
        onProgress: (p) => {
          steps = p.step;
          if (p.step === 2) signal.aborted = true;
        },
      },
    );
    expect(steps).toBe(2);
    expect(s.meta.status).toBe('stopped');
    expect(s.meta.steps).toBe(2);
    const c = removedCount(masksFromScores(model.spec, s, { sparsity: 0.5 }));
    expect(c.removed).toBe(Math.round(0.5 * c.total));
  });

  it('refuses bad options with a named field', async () => {
    await expect(
      learnedScores(
        model,
        { train },
        {
          granularity: 'unstructured',
          sparsity: 1.2,
          objective: PGD,
          epochs: 1,
        },
      ),
    ).rejects.toThrow(/learned\.sparsity/);
  });

  it('does not leak tensors', async () => {
    await expectNoLeak(() =>
      learnedScores(
        model,
        { train },
        {
          granularity: 'unstructured',
          sparsity: 0.5,
          objective: PGD,
          epochs: 1,
          batchSize: 64,
        },
      ),
    );
  });
});
