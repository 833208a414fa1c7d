// Iterative pruning: sparsity follows the Zhu–Gupta schedule to the exact final value, masks only
// grow, pruned weights stay exactly 0 through fine-tuning.
import { describe, expect, it } from 'vitest';
import { cloneModel, disposeModel, initModel } from '@/engine/model';
import type { Model } from '@/engine/model/types';
import { iterativePrune } from '@/engine/prune/iterative';
import { iterativeSchedule } from '@/engine/prune/schedule';
import { magnitudeScores } from '@/engine/prune/scores/magnitude';
import { randomScores } from '@/engine/prune/scores/random';
import type { PlainMasks, ScoreSet } from '@/engine/prune/types';
import { syntheticDataset } from '@/engine/data/synthetic';
import { expectNoLeak } from '../../model/helpers';
import { nonZeroPruned, PGD, removedCount } from './helpers';
import { K, SHAPE, tinyBnSpec, tinyMlpSpec } from '../../../fixtures/models';

const ds = syntheticDataset({ n: 32, shape: SHAPE, numClasses: K, seed: 6 });
const fineTune = { epochs: 1, batchSize: 16, objective: PGD, validation: { subsetSize: 0 } };

function copy(m: PlainMasks): PlainMasks {
  return new Map(
    [...m].map(([k, v]) => [k, { shape: [...v.shape], data: Uint8Array.from(v.data) }]),
  );
}

describe('iterativePrune', () => {
  for (const [name, g, scorer] of [
    [
      'random scores each round',
      'unstructured',
      (m: Model, r: number) => Promise.resolve(randomScores(m, 'unstructured', r)),
    ],
    ['magnitude, structured', 'structured', (m: Model) => magnitudeScores(m, 'structured')],
  ] as const)
    it(`follows the schedule, masks only grow, pruned weights stay 0 (${name})`, async () => {
      const model = initModel(g === 'structured' ? tinyBnSpec() : tinyMlpSpec(16), 1);
      const seen: PlainMasks[] = [];
      let round = 0;
      const score = async (m: Model, masks: PlainMasks): Promise<ScoreSet> => {
        seen.push(copy(masks));
        expect(await nonZeroPruned(m, masks)).toBe(0); // zero after the previous fine-tune
        return scorer(m, ++round);
      };
      const final = g === 'structured' ? 0.5 : 0.8;
      const r = await iterativePrune(
        model,
        { train: ds },
        {
          score,
          finalSparsity: final,
          rounds: 3,
          rule: { scope: 'global' },
          fineTune,
        },
      );
      expect(r.status).toBe('completed');
      const targets = iterativeSchedule({ final, rounds: 3 });
      expect(r.rounds.map((x) => x.sparsity)).toEqual(targets);
      expect(targets[2]).toBe(final);
      seen.push(copy(r.masks));
      for (let i = 1; i < seen.length; i++) {
        const c = removedCount(seen[i]);
        expect(c.removed).toBe(Math.round(targets[i - 1] * c.total));
        expect(r.rounds[i - 1].achieved).toBeCloseTo(c.removed / c.total, 12);
        for (const [k, m] of seen[i - 1])
          m.data.forEach((v, j) => {
            if (v === 0) expect(seen[i].get(k)?.data[j]).toBe(0);
          });
      }
      expect(await nonZeroPruned(model, r.masks)).toBe(0);
      disposeModel(model);
    });

  it('refuses a bad schedule and stops on the signal', async () => {
    const model = initModel(tinyMlpSpec(16), 1);
    const score = (m: Model) => Promise.resolve(randomScores(m, 'unstructured', 1));
    await expect(
      iterativePrune(model, { train: ds }, { score, finalSparsity: 1, rounds: 2, fineTune }),
    ).rejects.toThrow(/final/);
    const r = await iterativePrune(
      model,
      { train: ds },
      {
        score,
        finalSparsity: 0.5,
        rounds: 2,
        fineTune,
        signal: { aborted: true },
      },
    );
    expect(r.status).toBe('stopped');
    expect(r.rounds).toHaveLength(0);
    disposeModel(model);
  });

  it('does not leak tensors', async () => {
    const base = initModel(tinyMlpSpec(16), 1);
    await expectNoLeak(async () => {
      const m = cloneModel(base);
      await iterativePrune(
        m,
        { train: ds },
        {
          score: (x) => magnitudeScores(x, 'unstructured'),
          finalSparsity: 0.6,
          rounds: 2,
          fineTune,
        },
      );
      disposeModel(m);
    });
    disposeModel(base);
  });
});
