// The dead-unit rule (scores/dead.ts) and the tempered anomaly keep-score (common-anomaly.ts):
// a hand-built net whose unit never fires loses that unit's paths first under EVERY criterion
// with dead: 'first'; α = 0 is dead-aware magnitude exactly; always-zero inputs after a conv and
// a flatten; percentile ranks; the learned criteria are leak-free and reproducible.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { Dataset } from '@/engine/data/dataset';
import { disposeModel } from '@/engine/model/init';
import { prunableLayers } from '@/engine/model/params';
import type { ModelSpec } from '@/engine/model/spec';
import { CRITERIA } from '@/engine/prune/criteria';
import { masksFromScores } from '@/engine/prune/masks';
import { lowAnomalyPercentile, temperedKeepScores } from '@/engine/prune/scores/common-anomaly';
import type { ScoreContext } from '@/engine/prune/scores/context';
import { applyDeadRule, deadFromBatches, deadUnits } from '@/engine/prune/scores/dead';
import { SCORERS, type ScorerInput } from '@/engine/prune/scores';
import type { Granularity, PlainMasks } from '@/engine/prune/types';
import { expectNoLeak, handBatches, handModel } from './helpers';

/** flatten → fc1 dense(3, relu) → out dense(2); input [1, 1, 2], pixels in [0, 1]. */
const SPEC: ModelSpec = {
  name: 'hand-dead',
  inputShape: [1, 1, 2],
  numClasses: 2,
  layers: [
    { kind: 'flatten', name: 'flat' },
    { kind: 'dense', name: 'fc1', units: 3 },
    { kind: 'dense', name: 'out', units: 2, activation: 'none' },
  ],
};
// W1[i][j]: unit 2 has the LARGEST weights but never fires (pre-activation ≤ −0.5 on [0, 1]²)
const W1 = [
  [0.6, -0.4, -3],
  [-0.3, 0.7, -2.5],
];
const B1 = [0.05, 0.1, -0.5];
// the out row of unit 2 is large too, so magnitude alone would keep it
const W2 = [
  [0.8, -0.6],
  [-0.5, 0.9],
  [2.5, -2.2],
];
const N = 24;
const X = Float32Array.from({ length: N * 2 }, (_, i) => ((i * 37) % 97) / 96);
const Y = Int32Array.from({ length: N }, (_, i) => (X[2 * i] > X[2 * i + 1] ? 0 : 1));
const train: Dataset = { name: 'hand', images: X, labels: Y, shape: [1, 1, 2], numClasses: 2 };
const model = handModel(SPEC, {
  'fc1/kernel': W1.flat(),
  'fc1/bias': B1,
  'out/kernel': W2.flat(),
  'out/bias': [0, 0],
});
afterAll(() => disposeModel(model));

const ctx = (granularity: Granularity): ScoreContext => ({
  model,
  data: { x: X, y: Y, shape: [1, 1, 2] },
  attack: { name: 'pgd-linf', options: { eps: 0.2, steps: 3, stepSize: 0.1 } },
  granularity,
  batchSize: 8,
  seed: 3,
});

const input = (granularity: Granularity, dead: 'first' | 'off'): ScorerInput => ({
  ctx: ctx(granularity),
  options: { dead },
  learned: {
    train,
    sparsity: granularity === 'structured' ? 1 / 3 : 4 / 12,
    scope: 'global',
    objective: { kind: 'pgd-at', eps: 0.2, steps: 2 },
    epochs: 1,
    batchSize: 8,
  },
});

/** The dead paths of SPEC: fc1 column 2 (kernel [2, 3]) and out row 2 (kernel [3, 2]). */
const DEAD_FC1 = [2, 5];
const DEAD_OUT = [4, 5];

function removed(m: PlainMasks, k: string): number[] {
  const d = m.get(k)?.data ?? new Uint8Array();
  return [...d].flatMap((v, i) => (v === 0 ? [i] : []));
}

describe('dead units', () => {
  it('are measured on clean and adversarial samples: fc1 unit 2 only, and out reads it', async () => {
    const d = await deadUnits(ctx('unstructured'));
    expect([...(d.units.get('fc1/kernel') ?? [])]).toEqual([0, 0, 1]);
    expect([...(d.units.get('out/kernel') ?? [])]).toEqual([0, 0]);
    expect([...(d.inputs.get('out/kernel') ?? [])]).toEqual([0, 0, 1]);
    expect([...(d.inputs.get('fc1/kernel') ?? [])]).toEqual([0, 0]);
    expect(d.samples).toBe(2 * N);
    await expectNoLeak(() => deadUnits(ctx('unstructured')), 2);
  });

  it('a unit that fires only on x′ is not dead (clean and adversarial must agree)', async () => {
    // unit 0: pre-activation x₀ − 0.01, silent on every clean x (x₀ = 0), fires on x′ (x₀ = 0.3)
    const quiet = handModel(SPEC, {
      'fc1/kernel': [1, 0, -3, 0, 0, -2.5],
      'fc1/bias': [-0.01, 0.1, -0.5],
      'out/kernel': W2.flat(),
      'out/bias': [0, 0],
    });
    const hb = handBatches(
      SPEC,
      [
        [0, 0.5],
        [0, 1],
      ],
      [
        [0.3, 0.5],
        [0, 1],
      ],
      [0, 1],
    );
    const cleanOnly = handBatches(
      SPEC,
      [
        [0, 0.5],
        [0, 1],
      ],
      [
        [0, 0.5],
        [0, 1],
      ],
      [0, 1],
    );
    try {
      const d = await deadFromBatches(quiet, undefined, hb.batches);
      expect([...(d.units.get('fc1/kernel') ?? [])]).toEqual([0, 0, 1]);
      const c = await deadFromBatches(quiet, undefined, cleanOnly.batches);
      expect([...(c.units.get('fc1/kernel') ?? [])]).toEqual([1, 0, 1]);
    } finally {
      hb.dispose();
      cleanOnly.dispose();
      disposeModel(quiet);
    }
  });

  for (const granularity of ['unstructured', 'structured'] as const)
    it(`every criterion with dead: 'first' removes the dead paths first (${granularity})`, async () => {
      for (const { name } of CRITERIA) {
        const inp = input(granularity, 'first');
        const set = await SCORERS[name].run(inp);
        expect(set.meta.dead, name).toBe('first');
        expect(set.meta.deadUnits, name).toBe('fc1 1/3');
        expect([...(set.deadUnits?.get('fc1/kernel') ?? [])], name).toEqual([0, 0, 1]);
        const m = masksFromScores(SPEC, set, {
          sparsity: granularity === 'structured' ? 1 / 3 : 4 / 12,
        });
        if (granularity === 'structured') {
          expect(removed(m, 'fc1/kernel'), name).toEqual([2]);
        } else {
          expect(removed(m, 'fc1/kernel'), name).toEqual(DEAD_FC1);
          expect(removed(m, 'out/kernel'), name).toEqual(DEAD_OUT);
        }
      }
    });

  it("without the rule, magnitude keeps the dead unit's large weights (the rule is what moves them)", async () => {
    const set = await SCORERS.magnitude.run(input('unstructured', 'off'));
    const m = masksFromScores(SPEC, set, { sparsity: 4 / 12 });
    expect(removed(m, 'fc1/kernel')).not.toContain(2);
    expect(removed(m, 'out/kernel')).not.toContain(4);
  });

  it('the naive anomaly form keeps the dead unit (the collapse), the default removes it', async () => {
    const naive = await SCORERS['anomaly-activation'].run({
      ...input('structured', 'off'),
      options: { variant: 'naive' },
    });
    expect(naive.meta.dead).toBe('off');
    expect(naive.layers.get('fc1/kernel')?.data[2]).toBe(0); // A = 0/δ: least anomalous
    const m = masksFromScores(SPEC, naive, { sparsity: 1 / 3 });
    expect(removed(m, 'fc1/kernel')).not.toEqual([2]);
  });
});

describe('tempered anomaly keep-score', () => {
  it('percentile of low anomaly: 1 for the least anomalous, 1/n for the most, ties share', () => {
    const p = lowAnomalyPercentile([0.5, 0.1, 0.9, 0.5, 7], Uint8Array.from([1, 1, 1, 1, 0]));
    expect([...p]).toEqual([0.625, 1, 0.25, 0.625, 1]);
  });

  it("is |w|·p_j^α per weight (its unit's percentile) and L1·p_j^α per unit, masked entries 0", () => {
    const a = [1, 3, 2]; // unit 1 most anomalous: p = [1, 1/3, 2/3]
    const w = [0.5, -0.2, 0.4, 0.1, 0.3, -0.6]; // [in 2, out 3]
    const p = [1, 1 / 3, 2 / 3];
    const s = temperedKeepScores(a, w, 3, 2, false);
    w.forEach((v, k) => expect(s[k]).toBeCloseTo(Math.abs(v) * p[k % 3] ** 2, 7));
    // unit 2 dead: out of the ranks (p over units 0, 1: [1, 1/2]); its weights keep p = 1
    const d = temperedKeepScores(a, w, 3, 1, false, undefined, Uint8Array.from([0, 0, 1]));
    expect(d[1]).toBeCloseTo(0.2 * 0.5, 7);
    expect(d[2]).toBeCloseTo(0.4, 7);
    const masked = temperedKeepScores(a, w, 3, 1, false, {
      data: [1, 0, 1, 1, 1, 1],
      perNeuron: false,
    });
    expect(masked[1]).toBe(0);
    const st = temperedKeepScores(a, w, 3, 1, true);
    expect(st[0]).toBeCloseTo(0.6 * 1, 6);
    expect(st[1]).toBeCloseTo(0.5 / 3, 6);
    expect(st[2]).toBeCloseTo((1.0 * 2) / 3, 6);
  });

  for (const granularity of ['unstructured', 'structured'] as const)
    it(`α = 0 gives dead-aware magnitude's masks exactly (${granularity})`, async () => {
      const an = await SCORERS['anomaly-activation'].run({
        ...input(granularity, 'first'),
        options: { alpha: 0 },
      });
      const mag = await SCORERS.magnitude.run(input(granularity, 'first'));
      const max = granularity === 'structured' ? 1 : 8;
      const total = granularity === 'structured' ? 3 : 12;
      for (let k = 0; k <= max; k++) {
        const rule = { sparsity: k / total };
        expect(masksFromScores(SPEC, an, rule)).toEqual(masksFromScores(SPEC, mag, rule));
      }
    });

  it('applyDeadRule leaves finite scores alone and marks the count', async () => {
    const mag = await SCORERS.magnitude.run(input('unstructured', 'off'));
    const d = await deadUnits(ctx('unstructured'));
    const r = applyDeadRule(SPEC, mag, d);
    expect(r.meta.deadEntries).toBe(4);
    for (const l of prunableLayers(SPEC)) {
      const before = mag.layers.get(l.kernelName)?.data ?? new Float32Array();
      const after = r.layers.get(l.kernelName)?.data ?? new Float32Array();
      after.forEach((v, k) => {
        if (Number.isFinite(v)) expect(v).toBe(before[k]);
        else expect(v).toBe(-Infinity);
      });
    }
    expect(mag.meta.dead).toBeUndefined(); // the input is not modified
  });
});

describe('learned criteria with the dead rule', () => {
  it('anomaly-learned (with the vulnerability term) is reproducible and leaks nothing', async () => {
    const run = () =>
      SCORERS['anomaly-learned'].run({
        ...input('unstructured', 'first'),
        options: { vsLambda: 0.5 },
      });
    const a = await run();
    const b = await run();
    expect(a.method).toBe('anomaly-learned');
    expect(a.meta.vsLambda).toBe(0.5);
    expect(String(a.meta.init)).toContain('anomaly keep-score');
    for (const [k, l] of a.layers) expect([...l.data]).toEqual([...(b.layers.get(k)?.data ?? [])]);
    await expectNoLeak(run, 1);
  });

  it("the learned criteria learn under the experiment's per-layer cap (99% needs a cap above 0.99)", async () => {
    const base = input('unstructured', 'off');
    const tight = {
      ...base,
      learned: { ...(base.learned as NonNullable<ScorerInput['learned']>), sparsity: 11 / 12 },
    };
    await expect(SCORERS.learned.run(tight)).rejects.toThrow(/per-layer caps allow/);
    const loose = {
      ...tight,
      learned: { ...(tight.learned as NonNullable<ScorerInput['learned']>), maxLayerSparsity: 1 },
    };
    const set = await SCORERS['anomaly-learned'].run(loose);
    const m = masksFromScores(SPEC, set, { sparsity: 11 / 12, maxLayerSparsity: 1 });
    expect([...m.values()].reduce((a, l) => a + l.data.filter((v) => v === 0).length, 0)).toBe(11);
  });

  it('HYDRA with dead first starts dead paths at 0 and never lets them back', async () => {
    const set = await SCORERS.learned.run(input('unstructured', 'first'));
    expect(String(set.meta.init)).toContain('dead paths 0');
    const fc1 = set.layers.get('fc1/kernel')?.data ?? new Float32Array();
    for (const k of DEAD_FC1) expect(fc1[k]).toBe(-Infinity);
    const finite = [...fc1].filter((v) => Number.isFinite(v));
    expect(finite.length).toBe(4);
    expect(tf.memory().numTensors).toBeGreaterThan(0);
  });
});
