// Attack losses against hand-computed values, input gradients against central finite
// differences, and the ε-ball projections.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  inputGradient,
  l2Norm4,
  lossLogitsGrad,
  projectL2,
  projectLinf,
} from '@/engine/attacks/common';
import { AttackInputError } from '@/engine/attacks/errors';
import {
  attackLoss,
  crossEntropy,
  cwMargin,
  dlr,
  margin,
  type LossName,
} from '@/engine/attacks/losses';
import { Rng } from '@/engine/rng';
import { convModel, linearModel, syntheticData, type TinyModel } from './tiny-models';

const Z = [
  [2, 0.5, -1, 3],
  [0.1, 0.2, 0.3, -0.4],
];
const Y = [3, 0];

async function values(t: tf.Tensor): Promise<number[]> {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
}

describe('attack losses', () => {
  it('match their formulas on hand-checked logits', async () => {
    const z = tf.tensor2d(Z);
    const y = tf.tensor1d(Y, 'int32');
    const lse = Z.map((r) => Math.log(r.reduce((s, v) => s + Math.exp(v), 0)));
    const ce = await values(crossEntropy(z, y));
    expect(ce[0]).toBeCloseTo(lse[0] - 3, 5);
    expect(ce[1]).toBeCloseTo(lse[1] - 0.1, 5);
    // margin z_y − max_{j≠y} z_j
    const m = await values(margin(z, y));
    expect(m[0]).toBeCloseTo(3 - 2, 6);
    expect(m[1]).toBeCloseTo(0.1 - 0.3, 6);
    // C&W: min(max_{j≠y} z_j − z_y, κ)
    const cw = await values(cwMargin(z, y, 0.1));
    expect(cw[0]).toBeCloseTo(-1, 6);
    expect(cw[1]).toBeCloseTo(0.1, 6); // 0.2 capped at κ = 0.1
    // DLR: −(z_y − max_{i≠y} z_i) / (z_π1 − z_π3)
    const d = await values(dlr(z, y));
    expect(d[0]).toBeCloseTo(-(3 - 2) / (3 - 0.5), 5);
    expect(d[1]).toBeCloseTo(-(0.1 - 0.3) / (0.3 - 0.1), 5);
    tf.dispose([z, y]);
  });

  it('DLR is invariant to shifting and scaling the logits', async () => {
    const z = tf.tensor2d(Z);
    const y = tf.tensor1d(Y, 'int32');
    const zs = tf.add(tf.mul(z, 3.5), 7);
    const a = await values(dlr(z, y));
    const b = await values(dlr(zs as tf.Tensor2D, y));
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 5);
    tf.dispose([z, y, zs]);
  });

  it('reject too few classes with a typed error', () => {
    const z = tf.tensor2d([[1, 2]]);
    const y = tf.tensor1d([0], 'int32');
    expect(() => dlr(z, y)).toThrow(AttackInputError);
    const z1 = tf.tensor2d([[1]]);
    expect(() => margin(z1, y)).toThrow(AttackInputError);
    tf.dispose([z, y, z1]);
  });
});

/** Central differences of Σ loss along `coords` of x; compared with inputGradient. */
async function checkGradient(model: TinyModel, loss: LossName, seed: number): Promise<void> {
  const shape: [number, number, number] = [5, 5, 2];
  const data = syntheticData(3, shape, 4, seed, seed + 1, 0.1);
  const x = tf.tensor4d(data.x, [3, ...shape]);
  const y = tf.tensor1d(data.y, 'int32');
  const g = inputGradient(model.f, loss, x, y, 100);
  const gv = await g.data();
  const xv = await x.data();
  const h = 2e-3; // small enough not to cross the kinks of max() / argmax-based DLR terms
  const rng = new Rng(seed);
  const lossAt = async (v: Float32Array) => {
    const s = tf.tidy(() => tf.sum(attackLoss(loss, model.f(tf.tensor4d(v, x.shape)), y, 100)));
    const r = (await s.data())[0];
    s.dispose();
    return r;
  };
  let err2 = 0;
  let ref2 = 0;
  for (let t = 0; t < 24; t++) {
    const i = rng.int(xv.length);
    const plus = Float32Array.from(xv);
    const minus = Float32Array.from(xv);
    plus[i] += h;
    minus[i] -= h;
    const num = ((await lossAt(plus)) - (await lossAt(minus))) / (2 * h);
    expect(Math.abs(num - gv[i])).toBeLessThan(2e-3 + 0.03 * Math.abs(gv[i]));
    err2 += (num - gv[i]) ** 2;
    ref2 += gv[i] ** 2;
  }
  expect(ref2).toBeGreaterThan(1e-8); // the check is not vacuous
  expect(Math.sqrt(err2 / ref2)).toBeLessThan(0.02);
  tf.dispose([x, y, g]);
}

describe('input gradients', () => {
  for (const loss of ['ce', 'cw', 'dlr'] as const) {
    it(`${loss}: linear model matches central finite differences`, async () => {
      const m = linearModel([5, 5, 2], 4, 11);
      await checkGradient(m, loss, 3);
      m.dispose();
    });
    it(`${loss}: conv model matches central finite differences`, async () => {
      const m = convModel([5, 5, 2], 4, 12);
      await checkGradient(m, loss, 4);
      m.dispose();
    });
  }

  it('lossLogitsGrad returns the same gradient, loss and logits as separate passes', async () => {
    const m = convModel([5, 5, 2], 4, 13);
    const data = syntheticData(4, [5, 5, 2], 4, 5, 6);
    const x = tf.tensor4d(data.x, [4, 5, 5, 2]);
    const y = tf.tensor1d(data.y, 'int32');
    const before = tf.memory().numTensors;
    const r = lossLogitsGrad(m.f, 'dlr', x, y);
    expect(tf.memory().numTensors).toBe(before + 3);
    const g = inputGradient(m.f, 'dlr', x, y);
    const z = m.f(x);
    const l = dlr(z, y);
    expect(Array.from(await r.grad.data())).toEqual(Array.from(await g.data()));
    expect(Array.from(await r.logits.data())).toEqual(Array.from(await z.data()));
    expect(Array.from(await r.loss.data())).toEqual(Array.from(await l.data()));
    tf.dispose([r.grad, r.logits, r.loss, g, z, l, x, y]);
    m.dispose();
  });
});

describe('projections', () => {
  it('L∞: inside the ε-ball and [0, 1], and the identity on points already inside', async () => {
    const rng = new Rng(1);
    const xv = Float32Array.from({ length: 2 * 3 * 3 * 1 }, () => rng.next());
    xv[0] = 0;
    xv[1] = 1;
    const x = tf.tensor4d(xv, [2, 3, 3, 1]);
    const far = tf.tensor4d(
      Float32Array.from(xv, (v) => v + (rng.next() - 0.5) * 2),
      x.shape,
    );
    const p = projectLinf(far, x, 0.1);
    const pv = await p.data();
    const farv = await far.data();
    for (let i = 0; i < xv.length; i++) {
      expect(Math.abs(pv[i] - xv[i])).toBeLessThanOrEqual(0.1 + 1e-6);
      expect(pv[i]).toBeGreaterThanOrEqual(0);
      expect(pv[i]).toBeLessThanOrEqual(1);
      // each coordinate is the clamp of the original one
      const expected = Math.min(
        1,
        Math.max(0, Math.min(xv[i] + 0.1, Math.max(xv[i] - 0.1, farv[i]))),
      );
      expect(pv[i]).toBeCloseTo(expected, 6);
    }
    const again = projectLinf(p, x, 0.1);
    expect(Array.from(await again.data())).toEqual(Array.from(pv));
    tf.dispose([x, far, p, again]);
  });

  it('L2: norm ≤ ε, direction kept when no clamping happens', async () => {
    const x = tf.fill([2, 4, 4, 1], 0.5) as tf.Tensor4D;
    const dir = tf.randomNormal([2, 4, 4, 1], 0, 1, 'float32', 7);
    const far = tf.add(x, tf.mul(dir, 0.3));
    const p = projectL2(far, x, 0.2);
    const d = tf.sub(p, x) as tf.Tensor4D;
    const norms = l2Norm4(d);
    for (const nv of await norms.data()) expect(nv).toBeLessThanOrEqual(0.2 + 1e-6);
    // δ is ≈ 0.05·N(0, 1) around 0.5, so no clamping: δ stays parallel to the original offset
    const cos = tf.tidy(() => {
      const dot = tf.sum(tf.mul(d, dir), [1, 2, 3], true);
      return tf.div(dot, tf.mul(l2Norm4(d), l2Norm4(dir as tf.Tensor4D)));
    });
    for (const c of await cos.data()) expect(c).toBeCloseTo(1, 4);
    tf.dispose([x, dir, far, p, d, norms, cos]);
  });
});
