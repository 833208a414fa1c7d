/**
 * Seeded initialization, clone/dispose, and plain-data weights in and out.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  WeightsError,
  cloneModel,
  disposeModel,
  getWeights,
  initModel,
  lenetSpec,
  mlpSpec,
  paramNames,
  resnetSmallSpec,
  setWeights,
} from '@/engine/model';
import { expectNoLeak } from './helpers';

const bytesEqual = (a: Float32Array, b: Float32Array): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );

function std(d: Float32Array): number {
  let m = 0;
  for (const v of d) m += v;
  m /= d.length;
  let s = 0;
  for (const v of d) s += (v - m) ** 2;
  return Math.sqrt(s / d.length);
}

describe('initModel', () => {
  it('same seed → bit-identical weights; other seed → different kernels', async () => {
    const a = initModel(lenetSpec(), 7);
    const b = initModel(lenetSpec(), 7);
    const c = initModel(lenetSpec(), 8);
    const [wa, wb, wc] = await Promise.all([a, b, c].map(getWeights));
    for (const [name, w] of wa) {
      expect(bytesEqual(w.data, wb.get(name)!.data), name).toBe(true);
      if (name.endsWith('kernel')) expect(bytesEqual(w.data, wc.get(name)!.data), name).toBe(false);
    }
    [a, b, c].forEach(disposeModel);
  });

  it('He normal for ReLU layers, Glorot for the head; zeros, ones where documented', async () => {
    const m = initModel(resnetSmallSpec(), 3);
    const w = await getWeights(m);
    // block3/conv2: fanIn 3·3·64 = 576 → std √(2/576) ≈ 0.0589, n = 36864
    expect(std(w.get('block3/conv2/kernel')!.data)).toBeCloseTo(Math.sqrt(2 / 576), 2);
    // fc (no ReLU): Glorot std √(2/(64+10)) ≈ 0.164, n = 640
    expect(Math.abs(std(w.get('fc/kernel')!.data) / Math.sqrt(2 / 74) - 1)).toBeLessThan(0.1);
    expect(w.get('fc/bias')!.data.every((v) => v === 0)).toBe(true);
    expect(w.get('stem/bn/gamma')!.data.every((v) => v === 1)).toBe(true);
    expect(w.get('stem/bn/beta')!.data.every((v) => v === 0)).toBe(true);
    expect(w.get('stem/bn/movingMean')!.data.every((v) => v === 0)).toBe(true);
    expect(w.get('stem/bn/movingVariance')!.data.every((v) => v === 1)).toBe(true);
    expect([...m.params.keys()]).toEqual(paramNames(m.spec));
    expect([...m.params.values()].every((v) => v.trainable)).toBe(true);
    expect([...m.buffers.values()].every((v) => !v.trainable)).toBe(true);
    disposeModel(m);
  });

  it('does not leak: init + dispose', async () => {
    await expectNoLeak(() => disposeModel(initModel(resnetSmallSpec(), 1)));
  });
});

describe('clone, getWeights, setWeights', () => {
  it('a clone is independent and equal', async () => {
    const m = initModel(mlpSpec(), 1);
    const c = cloneModel(m);
    const before = await getWeights(c);
    for (const [name, w] of await getWeights(m))
      expect(bytesEqual(w.data, before.get(name)!.data)).toBe(true);
    const k = m.params.get('fc1/kernel')!;
    tf.tidy(() => k.assign(tf.zerosLike(k)));
    expect(
      bytesEqual((await getWeights(c)).get('fc1/kernel')!.data, before.get('fc1/kernel')!.data),
    ).toBe(true);
    disposeModel(m);
    disposeModel(c);
  });

  it('setWeights round-trips and copies the caller data', async () => {
    const a = initModel(lenetSpec(), 1);
    const b = initModel(lenetSpec(), 2);
    const wa = await getWeights(a);
    setWeights(b, wa);
    wa.get('conv1/kernel')!.data.fill(42); // mutating the source afterwards must not change b
    const wb = await getWeights(b);
    const fresh = await getWeights(a);
    for (const [name, w] of fresh) expect(bytesEqual(w.data, wb.get(name)!.data), name).toBe(true);
    disposeModel(a);
    disposeModel(b);
  });

  it('setWeights validates names and shapes, all-or-nothing', async () => {
    const m = initModel(mlpSpec(), 1);
    const w = await getWeights(m);
    const before = w.get('fc1/bias')!.data.slice();
    const missing = new Map(w);
    missing.delete('fc3/bias');
    expect(() => setWeights(m, missing)).toThrow(/missing weight 'fc3\/bias'/);
    const extra = new Map(w).set('fc4/kernel', { shape: [1], data: new Float32Array(1) });
    expect(() => setWeights(m, extra)).toThrow(/unexpected weight 'fc4\/kernel'/);
    const wrong = new Map(w);
    wrong.set('fc1/bias', { shape: [300], data: new Float32Array(300).fill(5) });
    wrong.set('fc2/kernel', { shape: [100, 300], data: new Float32Array(30000) });
    expect(() => setWeights(m, wrong)).toThrow(WeightsError);
    expect(bytesEqual((await getWeights(m)).get('fc1/bias')!.data, before)).toBe(true);
    disposeModel(m);
  });

  it('does not leak: clone, getWeights, setWeights', async () => {
    const m = initModel(lenetSpec(), 1);
    const w = await getWeights(m);
    await expectNoLeak(() => disposeModel(cloneModel(m)));
    await expectNoLeak(() => getWeights(m));
    await expectNoLeak(() => setWeights(m, w));
    disposeModel(m);
  });
});
