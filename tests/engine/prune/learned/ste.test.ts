// The straight-through top-k mask: forward is the exact hard mask, backward the identity.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initModel, disposeModel } from '@/engine/model';
import {
  createScoreVars,
  disposeScoreVars,
  hardMasks,
  readScoreSet,
  steMasks,
  straightThrough,
} from '@/engine/prune/ste';
import { disposeMasks, toTensorMasks } from '@/engine/prune/masks';
import { expectNoLeak } from '../../model/helpers';
import { tinyBnSpec } from '../../../fixtures/models';

const ones = (d: ArrayLike<number>): number => Array.from(d).reduce((s, v) => s + v, 0);

describe('straightThrough', () => {
  it('returns the hard values and passes the gradient unchanged', async () => {
    const x = tf.tensor1d([0.3, -1.2, 2.5, 0.01]);
    const hard = tf.tensor1d([1, 0, 1, 0]);
    const w = tf.tensor1d([1.5, -2, 0.25, 4]);
    expect(Array.from(await straightThrough(x, hard).data())).toEqual([1, 0, 1, 0]);
    // L = Σ w ⊙ ste(x): ∂L/∂x = w exactly (identity Jacobian)
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(w, straightThrough(a, hard))))(x);
    expect(Array.from(await g.data())).toEqual([1.5, -2, 0.25, 4]);
    tf.dispose([x, hard, w, g]);
  });

  it('refuses mismatched shapes', () => {
    expect(() => straightThrough(tf.zeros([3]), tf.zeros([4]))).toThrow(/shapes/);
  });

  it('does not leak', async () => {
    const x = tf.tensor1d([0.3, -1.2]);
    const hard = tf.tensor1d([1, 0]);
    await expectNoLeak(() =>
      tf.tidy(() => tf.grad((a: tf.Tensor) => tf.sum(straightThrough(a, hard)))(x)).dispose(),
    );
    tf.dispose([x, hard]);
  });
});

describe('steMasks through |s|', () => {
  it('forward mask keeps exactly k entries; ∂L/∂s = sign(s)·∂L/∂m', async () => {
    const model = initModel(tinyBnSpec(), 1);
    const init = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [name, v] of model.params)
      if (name.endsWith('/kernel')) {
        const data = Float32Array.from(await v.data(), (w, i) => (i % 3 === 0 ? -w : w) + 1e-3 * i);
        init.set(name, { shape: [...v.shape], data });
      }
    const scores = createScoreVars(init);
    for (const scope of ['global', 'layer'] as const) {
      const plain = await hardMasks(model, scores, 'unstructured', { sparsity: 0.6, scope });
      const total = [...plain.values()].reduce((a, m) => a + m.data.length, 0);
      const kept = [...plain.values()].reduce((a, m) => a + ones(m.data), 0);
      if (scope === 'global') expect(total - kept).toBe(Math.round(0.6 * total));
      else
        for (const m of plain.values())
          expect(m.data.length - ones(m.data)).toBe(Math.round(0.6 * m.data.length));
      // the kept entries are those of largest |s| (global: every kept |s| ≥ every pruned |s|)
      const set = await readScoreSet(model, scores, 'unstructured', 'x');
      let minKept = Infinity;
      let maxPruned = -Infinity;
      for (const [k, m] of plain) {
        const s = set.layers.get(k)?.data as Float32Array;
        m.data.forEach((v, i) => {
          if (v) minKept = Math.min(minKept, s[i]);
          else maxPruned = Math.max(maxPruned, s[i]);
        });
      }
      if (scope === 'global') expect(minKept).toBeGreaterThanOrEqual(maxPruned);
    }
    const plain = await hardMasks(model, scores, 'unstructured', { sparsity: 0.5 });
    const hard = toTensorMasks(plain);
    const vars = [...scores.values()];
    // L = Σ_k Σ c_k ⊙ m_k with fixed random c: ∂L/∂s_k = sign(s_k) ⊙ c_k
    const cs = vars.map((v, i) => tf.randomNormal(v.shape, 0, 1, 'float32', 7 + i));
    const { value, grads } = tf.variableGrads(() => {
      const m = steMasks(scores, hard);
      let l = tf.scalar(0);
      [...m.values()].forEach((t, i) => (l = tf.add(l, tf.sum(tf.mul(cs[i], t)))));
      return l as tf.Scalar;
    }, vars);
    for (let i = 0; i < vars.length; i++) {
      const g = await grads[vars[i].name].data();
      const s = await vars[i].data();
      const c = await cs[i].data();
      for (let j = 0; j < g.length; j++) expect(g[j]).toBeCloseTo(Math.sign(s[j]) * c[j], 6);
    }
    tf.dispose([value, ...Object.values(grads), ...cs]);
    disposeMasks(hard);
    disposeScoreVars(scores);
    disposeModel(model);
  });
});
