// SGD and Adam against hand-computed steps (PyTorch's formulas in float64), masks, state export.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { initModel, disposeModel } from '@/engine/model/init';
import { isTrainError } from '@/engine/train/errors';
import { expandMasks } from '@/engine/train/masking';
import {
  applyGradients,
  createOptimizer,
  disposeOptimizer,
  exportOptimizerState,
  restoreOptimizer,
  type Optimizer,
} from '@/engine/train/optimizers';
import { countBitDifferences, values } from './helpers';
import { tinyBnSpec, tinyMlpSpec } from '../../fixtures/models';

const live: (tf.Tensor | Optimizer)[] = [];
afterEach(() => {
  for (const o of live.splice(0)) {
    if (o instanceof tf.Tensor) o.dispose();
    else disposeOptimizer(o);
  }
});

function setup(p0: number[]) {
  const p = tf.variable(tf.tensor1d(p0));
  live.push(p);
  return { p, params: new Map([['w', p]]) };
}
function step(opt: Optimizer, params: Map<string, tf.Variable>, g: number[], lr: number) {
  const gt = tf.tensor1d(g);
  applyGradients(opt, params, new Map([['w', gt]]), lr);
  gt.dispose();
}

describe('SGD', () => {
  it('momentum 0.9 with coupled weight decay matches PyTorch over two steps (hand-computed)', async () => {
    const { p, params } = setup([1, -2]);
    const opt = createOptimizer({ kind: 'sgd', momentum: 0.9, weightDecay: 0.01 }, params);
    live.push(opt);
    step(opt, params, [0.5, 0.1], 0.1);
    // d1 = g1 + 0.01·p0 = [0.51, 0.08]; b1 = d1; p1 = p0 − 0.1·b1 = [0.949, −2.008]
    const p1 = await values(p);
    expect(p1[0]).toBeCloseTo(0.949, 6);
    expect(p1[1]).toBeCloseTo(-2.008, 6);
    step(opt, params, [-0.3, 0.4], 0.1);
    // d2 = [−0.3 + 0.00949, 0.4 − 0.02008]; b2 = 0.9·b1 + d2 = [0.16849, 0.45192]
    // p2 = p1 − 0.1·b2 = [0.932151, −2.053192]
    const p2 = await values(p);
    expect(p2[0]).toBeCloseTo(0.932151, 6);
    expect(p2[1]).toBeCloseTo(-2.053192, 6);
    expect(opt.step).toBe(2);
  });

  it('nesterov: p ← p − lr·(g + μ·b)', async () => {
    const { p, params } = setup([0.5]);
    const opt = createOptimizer(
      { kind: 'sgd', momentum: 0.5, nesterov: true, weightDecay: 0 },
      params,
    );
    live.push(opt);
    step(opt, params, [2], 0.1); // b1 = 2; update 2 + 0.5·2 = 3 → 0.2
    expect((await values(p))[0]).toBeCloseTo(0.2, 6);
    step(opt, params, [1], 0.1); // b2 = 0.5·2 + 1 = 2; update 1 + 0.5·2 = 2 → 0.0
    expect((await values(p))[0]).toBeCloseTo(0, 6);
  });

  it('plain SGD (μ = 0) keeps no state', async () => {
    const { p, params } = setup([1]);
    const opt = createOptimizer({ kind: 'sgd', momentum: 0, weightDecay: 0 }, params);
    live.push(opt);
    expect(opt.slots.get('w')).toEqual([]);
    step(opt, params, [4], 0.25);
    expect((await values(p))[0]).toBe(0);
  });
});

/** PyTorch Adam in float64, for reference. */
function adamRef(
  p: number,
  gs: number[],
  lr: number,
  b1: number,
  b2: number,
  eps: number,
  wd: number,
  decoupled: boolean,
) {
  let m = 0;
  let v = 0;
  gs.forEach((g0, i) => {
    const t = i + 1;
    let g = g0;
    if (wd > 0 && !decoupled) g += wd * p;
    if (wd > 0 && decoupled) p *= 1 - lr * wd;
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    const denom = Math.sqrt(v) / Math.sqrt(1 - b2 ** t) + eps;
    p -= (lr / (1 - b1 ** t)) * (m / denom);
  });
  return p;
}

describe('Adam', () => {
  it('first step moves each weight by ≈ lr (bias correction), second as hand-computed', async () => {
    const { p, params } = setup([1, -1, 0.3]);
    const opt = createOptimizer({ kind: 'adam' }, params);
    live.push(opt);
    step(opt, params, [0.02, -5, 1e-3], 0.01);
    const p1 = await values(p);
    // m̂ = g, v̂ = g² → Δ = lr·g/(|g| + ε) ≈ lr·sign(g) (without correction it would be ≈ 3.16·lr)
    expect(p1[0]).toBeCloseTo(0.99, 6);
    expect(p1[1]).toBeCloseTo(-0.99, 6);
    expect(p1[2]).toBeCloseTo(0.29, 5);
    step(opt, params, [-0.01, 2, 1e-3], 0.01);
    const p2 = await values(p);
    expect(p2[0]).toBeCloseTo(adamRef(1, [0.02, -0.01], 0.01, 0.9, 0.999, 1e-8, 0, false), 6);
    expect(p2[1]).toBeCloseTo(adamRef(-1, [-5, 2], 0.01, 0.9, 0.999, 1e-8, 0, false), 6);
    expect(p2[2]).toBeCloseTo(adamRef(0.3, [1e-3, 1e-3], 0.01, 0.9, 0.999, 1e-8, 0, false), 6);
  });

  it('L2 decay (Adam) and decoupled decay (AdamW) follow their formulas and differ', async () => {
    const gs = [0.3, -0.2, 0.1];
    const out: number[] = [];
    for (const decoupled of [false, true]) {
      const { p, params } = setup([2]);
      const opt = createOptimizer(
        { kind: 'adam', weightDecay: 0.1, decoupled, beta2: 0.99 },
        params,
      );
      live.push(opt);
      for (const g of gs) step(opt, params, [g], 0.05);
      const got = (await values(p))[0];
      expect(got).toBeCloseTo(adamRef(2, gs, 0.05, 0.9, 0.99, 1e-8, 0.1, decoupled), 5);
      out.push(got);
    }
    expect(Math.abs(out[0] - out[1])).toBeGreaterThan(1e-3);
  });
});

describe('masks', () => {
  it('masked weights and their state stay exactly 0; a structured mask also zeroes the bias', async () => {
    const model = initModel(tinyMlpSpec(6), 5);
    const full = tf.tensor(
      Array.from({ length: 64 * 6 }, (_, i) => (i % 3 === 0 ? 0 : 1)),
      [64, 6],
    );
    const unit = tf.tensor1d([1, 0, 1, 1]);
    live.push(full, unit);
    const masks = new Map([
      ['fc1/kernel', full],
      ['fc2/kernel', unit],
    ]);
    const pm = expandMasks(model, masks);
    expect([...pm.keys()].sort()).toEqual(['fc1/kernel', 'fc2/bias', 'fc2/kernel']);
    for (const kind of ['sgd', 'adam'] as const) {
      const opt = createOptimizer({ kind, weightDecay: 0.01 } as never, model.params);
      live.push(opt);
      for (let s = 0; s < 3; s++) {
        const grads = new Map([...model.params].map(([n, v]) => [n, tf.onesLike(v)] as const));
        applyGradients(opt, model.params, grads, 0.1, pm);
        for (const g of grads.values()) g.dispose();
      }
      const k1 = await values(model.params.get('fc1/kernel') as tf.Variable);
      expect(k1.filter((_, i) => i % 3 === 0).every((v) => v === 0)).toBe(true);
      expect(k1.filter((_, i) => i % 3 !== 0).some((v) => v !== 0)).toBe(true);
      const k2 = await values(model.params.get('fc2/kernel') as tf.Variable); // [6, 4]
      expect(k2.filter((_, i) => i % 4 === 1).every((v) => v === 0)).toBe(true);
      expect((await values(model.params.get('fc2/bias') as tf.Variable))[1]).toBe(0);
      const slot = await values((opt.slots.get('fc1/kernel') as tf.Variable[])[0]);
      expect(slot.filter((_, i) => i % 3 === 0).every((v) => v === 0)).toBe(true);
    }
    disposeModel(model);
  });

  it('structured masks cover batch-norm gamma and beta; bad masks are TrainErrors', () => {
    const model = initModel(tinyBnSpec(), 1);
    const m = tf.tensor1d([1, 0, 1, 1]);
    const wrong = tf.zeros([3]);
    live.push(m, wrong);
    const pm = expandMasks(model, new Map([['conv1/kernel', m]]));
    expect([...pm.keys()].sort()).toEqual(['conv1/bn/beta', 'conv1/bn/gamma', 'conv1/kernel']);
    expect(() => expandMasks(model, new Map([['nope/kernel', m]]))).toThrow(
      /bad-mask: mask 'nope\/kernel'/,
    );
    expect(() => expandMasks(model, new Map([['conv1/kernel', wrong]]))).toThrow(/shape \[3\]/);
    disposeModel(model);
  });
});

describe('state export and restore', () => {
  it('restores bit-exactly: the next step is identical to the uninterrupted one', async () => {
    for (const kind of ['sgd', 'adam'] as const) {
      const a = initModel(tinyMlpSpec(5), 2);
      const b = initModel(tinyMlpSpec(5), 9);
      const grads = (s: number) =>
        new Map(
          [...a.params].map(([n, v]) => [n, tf.randomNormal(v.shape, 0, 1, 'float32', s)] as const),
        );
      const optA = createOptimizer({ kind } as never, a.params);
      live.push(optA);
      for (let s = 0; s < 2; s++) {
        const g = grads(s);
        applyGradients(optA, a.params, g, 0.05);
        for (const t of g.values()) t.dispose();
      }
      const state = structuredClone(await exportOptimizerState(optA));
      for (const [n, v] of a.params) (b.params.get(n) as tf.Variable).assign(v);
      const optB = restoreOptimizer(state, b.params);
      live.push(optB);
      expect(optB.step).toBe(2);
      const g = grads(7);
      applyGradients(optA, a.params, g, 0.05);
      applyGradients(optB, b.params, g, 0.05);
      for (const t of g.values()) t.dispose();
      const wa = new Map<string, Float32Array>();
      const wb = new Map<string, Float32Array>();
      for (const [n, v] of a.params) wa.set(n, new Float32Array(await v.data()));
      for (const [n, v] of b.params) wb.set(n, new Float32Array(await v.data()));
      expect(countBitDifferences(wa, wb)).toBe(0);
      disposeModel(a);
      disposeModel(b);
    }
  });

  it('rejects state that does not fit the parameters, and bad configs', async () => {
    const { params } = setup([1, 2]);
    const opt = createOptimizer({ kind: 'adam' }, params);
    live.push(opt);
    const st = await exportOptimizerState(opt);
    const other = new Map([['v', params.get('w') as tf.Variable]]);
    expect(() => restoreOptimizer(st, other)).toThrow(/bad-state/);
    expect(() =>
      restoreOptimizer({ ...st, slots: { w: [new Float32Array(3), new Float32Array(2)] } }, params),
    ).toThrow(/Float32Array of 2/);
    const g = tf.zeros([3]);
    live.push(g);
    expect(() => applyGradients(opt, params, new Map([['w', g]]), 0.1)).toThrow(/shape \[3\]/);
    expect(() => applyGradients(opt, params, new Map(), NaN)).toThrow(/learning rate/);
    let err: unknown;
    try {
      createOptimizer({ kind: 'sgd', momentum: 0, nesterov: true }, params);
    } catch (e) {
      err = e;
    }
    expect(isTrainError(err, 'bad-config')).toBe(true);
    expect(() => createOptimizer({ kind: 'rmsprop' } as never, params)).toThrow(/optimizer.kind/);
  });
});

it('leaks no tensors: create, update, export, restore, dispose', async () => {
  const model = initModel(tinyMlpSpec(4), 3);
  const run = async () => {
    const opt = createOptimizer({ kind: 'adam', weightDecay: 0.1 }, model.params);
    const grads = new Map([...model.params].map(([n, v]) => [n, tf.onesLike(v)] as const));
    applyGradients(opt, model.params, grads, 0.01);
    for (const g of grads.values()) g.dispose();
    const copy = restoreOptimizer(await exportOptimizerState(opt), model.params);
    disposeOptimizer(opt);
    disposeOptimizer(copy);
  };
  await run();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) await run();
  expect(tf.memory().numTensors).toBe(before);
  disposeModel(model);
});
