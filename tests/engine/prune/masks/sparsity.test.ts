/** sparsityReport against hand counts on a tiny MLP (unstructured, structured, dead inputs). */
import { describe, expect, it } from 'vitest';
import type { PlainMasks } from '@/engine/prune/types';
import { formatSparsityTable, sparsityReport } from '@/engine/prune/sparsity';
import { ModelInputError } from '@/engine/model/errors';
import { microMlp } from './helpers';

// micro MLP: 4 → fc1(3) → fc2(4) → head(2). kernels 12, 12, 8; params 15, 16, 10; MACs 12, 12, 8
const spec = microMlp();

describe('sparsityReport', () => {
  it('dense model: nothing removed', () => {
    const r = sparsityReport(spec, undefined);
    expect(r.layers.map((l) => [l.layer, l.weights, l.paramsBefore, l.macsBefore])).toEqual([
      ['fc1', 12, 15, 12],
      ['fc2', 12, 16, 12],
      ['head', 8, 10, 8],
    ]);
    expect(r.global).toMatchObject({ weights: 32, weightsRemoved: 0, sparsity: 0 });
    expect(r.global.paramsAfter).toBe(41);
  });

  it('unstructured: removed = zeros of the mask', () => {
    const d = new Uint8Array(12).fill(1);
    [0, 3, 4, 7, 11].forEach((i) => (d[i] = 0));
    const r = sparsityReport(spec, new Map([['fc1/kernel', { shape: [4, 3], data: d }]]));
    expect(r.layers[0]).toMatchObject({
      granularity: 'unstructured',
      weightsRemoved: 5,
      sparsity: 5 / 12,
      neuronsRemoved: 0,
      paramsAfter: 10,
      macsAfter: 7,
    });
    expect(r.layers[1]).toMatchObject({ granularity: 'none', weightsRemoved: 0, paramsAfter: 16 });
    expect(r.global.sparsity).toBeCloseTo(5 / 32, 12);
  });

  it('structured: the unit, its bias, and the next layer’s rows from it', () => {
    const masks: PlainMasks = new Map([
      ['fc1/kernel', { shape: [3], data: new Uint8Array([1, 0, 1]) }],
      ['fc2/kernel', { shape: [4], data: new Uint8Array([0, 1, 0, 1]) }],
    ]);
    const r = sparsityReport(spec, masks);
    // fc1: one column of 4 + its bias. fc2: 2 columns of 3 + row of dead fc1 unit in the kept
    // columns (2) → kernel 12 − 8 = 4 kept (2 live rows × 2 units). head: 2 dead rows × 2.
    expect(
      r.layers.map((l) => [l.weightsRemoved, l.neuronsRemoved, l.paramsAfter, l.macsAfter]),
    ).toEqual([
      [4, 1, 8 + 2, 8],
      [8, 2, 4 + 2, 4],
      [4, 0, 4 + 2, 4],
    ]);
    expect(r.layers[2].granularity).toBe('none');
    expect(r.global).toMatchObject({
      weights: 32,
      weightsRemoved: 16,
      sparsity: 0.5,
      neurons: 9,
      neuronsRemoved: 3,
      paramsBefore: 41,
      paramsAfter: 22,
      macsBefore: 32,
      macsAfter: 16,
    });
    const table = formatSparsityTable(r);
    expect(table.split('\n')).toHaveLength(2 + 3 + 1);
    expect(table).toContain('| fc2 | structured | 12 | 8 | 66.67% | 2 / 4 | 16 → 6 | 12 → 4 |');
    expect(table).toContain('| **total** | | 32 | 16 | 50.00% | 3 / 9 | 41 → 22 | 32 → 16 |');
  });

  it('rejects masks that do not fit', () => {
    const bad: PlainMasks = new Map([['fc1/kernel', { shape: [5], data: new Uint8Array(5) }]]);
    expect(() => sparsityReport(spec, bad)).toThrow(ModelInputError);
  });
});
