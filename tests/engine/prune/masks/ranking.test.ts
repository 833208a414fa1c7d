/**
 * rankScores: masksAt(s) equals masksFromScores for many sparsities, both scopes and
 * granularities, both orders, with ties and binding caps; maxSparsity is the caps' limit.
 */
import { describe, expect, it } from 'vitest';
import { lenetSpec } from '@/engine/model/spec';
import { MaskError, masksFromScores } from '@/engine/prune/masks';
import { rankScores } from '@/engine/prune/ranking';
import type { MaskRule, PlainMasks } from '@/engine/prune/types';
import { microMlp, randomScores, removedCounts } from './helpers';
import { everyLayerSpec } from '../../../fixtures/models';

/** Deep equality of plain masks (a plain loop: toEqual on big typed arrays is slow). */
function sameMasks(a: PlainMasks, b: PlainMasks): boolean {
  if (JSON.stringify([...a.keys()]) !== JSON.stringify([...b.keys()])) return false;
  for (const [k, m] of a) {
    const n = b.get(k);
    if (!n || m.shape.join() !== n.shape.join() || m.data.length !== n.data.length) return false;
    if (m.data.constructor !== n.data.constructor) return false;
    for (let i = 0; i < m.data.length; i++) if (m.data[i] !== n.data[i]) return false;
  }
  return true;
}

const SPARSITIES = Array.from({ length: 20 }, (_, i) => i / 20).concat([0.013, 0.5001, 0.987]);

describe('ranking.masksAt equals masksFromScores', () => {
  const specs = [everyLayerSpec(), microMlp(2, 10), lenetSpec([12, 12, 1])];
  for (const g of ['unstructured', 'structured'] as const)
    for (const scope of ['global', 'layer'] as const)
      it(`${g}, ${scope}`, () => {
        let compared = 0;
        let refused = 0;
        specs.forEach((spec, si) => {
          for (const ties of [false, true])
            for (const order of ['prune-lowest', 'prune-highest'] as const) {
              const scores = randomScores(spec, g, 100 * si + (ties ? 1 : 0), { ties, order });
              const rule: Omit<MaskRule, 'sparsity'> = { scope, maxLayerSparsity: 0.7 };
              const ranking = rankScores(spec, scores, rule);
              for (const sparsity of SPARSITIES) {
                let ref;
                try {
                  ref = masksFromScores(spec, scores, { ...rule, sparsity });
                } catch (e) {
                  expect(e).toBeInstanceOf(MaskError);
                  expect(() => ranking.masksAt(sparsity)).toThrow(MaskError);
                  refused++;
                  continue;
                }
                expect(sameMasks(ranking.masksAt(sparsity), ref)).toBe(true);
                compared++;
              }
            }
        });
        expect(compared).toBeGreaterThan(100);
        expect(refused).toBeGreaterThan(0); // sparsities past the caps were exercised too
      });
});

describe('ScoreRanking', () => {
  it('reports kernels, total and the caps limit; masksAt(maxSparsity) works', () => {
    const spec = microMlp(2, 10);
    const r = rankScores(spec, randomScores(spec, 'structured', 1));
    expect(r.kernels).toEqual(['fc1/kernel', 'fc2/kernel']);
    expect(r.total).toBe(12);
    expect(r.maxSparsity).toBeCloseTo(10 / 12, 12); // caps 1 and 9
    const m = r.masksAt(r.maxSparsity);
    expect([...removedCounts(m).values()].reduce((a, b) => a + b, 0)).toBe(10);
    expect(() => r.masksAt(1)).toThrow(MaskError);
    expect(() => r.masksAt(NaN)).toThrow(MaskError);
  });

  it('throws like masksFromScores on NaN scores', () => {
    const spec = microMlp();
    const s = randomScores(spec, 'unstructured', 1);
    s.layers.get('head/kernel')!.data[0] = NaN;
    expect(() => rankScores(spec, s)).toThrow(/'head'/);
  });
});
