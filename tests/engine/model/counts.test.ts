/**
 * Parameter and MAC counts against hand computations, dense and under masks (own mask, and the
 * effective counts where a removed unit also removes the next layer's inputs).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  ModelInputError,
  countMacs,
  countModel,
  countModelAsync,
  countParams,
  lenetSpec,
  mlpSpec,
  resnetSmallSpec,
  vggSmallSpec,
} from '@/engine/model';
import type { CountMasks, PlainMask } from '@/engine/model';
import { expectNoLeak } from './helpers';

const unitMask = (n: number, drop: number[]): PlainMask => {
  const data = new Float32Array(n).fill(1);
  for (const i of drop) data[i] = 0;
  return { shape: [n], data };
};
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('dense counts', () => {
  it('MLP 784-300-100-10', () => {
    const p = countParams(mlpSpec());
    expect(p.dense).toBe(784 * 300 + 300 + 300 * 100 + 100 + 100 * 10 + 10); // 266610
    expect(p.dense).toBe(266610);
    expect(p.kept).toBe(p.dense);
    expect(p.effective).toBe(p.dense);
    expect(countMacs(mlpSpec()).dense).toBe(784 * 300 + 300 * 100 + 100 * 10);
  });

  it('LeNet: conv5x5(6) same, pool, conv5x5(16) valid, pool, 400-120-84-10', () => {
    const p = countParams(lenetSpec());
    expect(p.layers.map((l) => l.dense)).toEqual([
      5 * 5 * 1 * 6 + 6,
      5 * 5 * 6 * 16 + 16,
      400 * 120 + 120,
      120 * 84 + 84,
      84 * 10 + 10,
    ]);
    expect(p.dense).toBe(61706);
    const m = countMacs(lenetSpec());
    expect(m.layers.map((l) => l.dense)).toEqual([
      28 * 28 * 5 * 5 * 1 * 6,
      10 * 10 * 5 * 5 * 6 * 16,
      400 * 120,
      120 * 84,
      84 * 10,
    ]);
    expect(m.dense).toBe(416520);
  });

  it('ResNet-small counts BN gamma/beta, not the running stats, and no conv bias', () => {
    const c = countModel(resnetSmallSpec());
    const stem = c.layers[0];
    expect(stem.params).toBe(3 * 3 * 3 * 16 + 2 * 16);
    expect(stem.macs).toBe(32 * 32 * 3 * 3 * 3 * 16);
    const sc = c.layers.find((l) => l.layer === 'block2/shortcut')!;
    expect(sc.macs).toBe(16 * 16 * 16 * 32);
    expect(c.total.sparsity).toBe(0);
  });
});

describe('masked counts', () => {
  it('MLP unstructured: kept = mask ones, MACs drop by the same number', () => {
    const data = new Float32Array(784 * 300);
    for (let i = 0; i < data.length; i += 3) data[i] = 1; // keeps ⌈235200/3⌉ = 78400
    const masks: CountMasks = new Map([['fc1/kernel', { shape: [784, 300], data }]]);
    const c = countModel(mlpSpec(), masks);
    expect(c.layers[0].keptWeights).toBe(78400);
    expect(c.total.keptParams).toBe(78400 + 300 + 30100 + 1010);
    expect(c.total.effectiveParams).toBe(c.total.keptParams); // no unit removed
    expect(c.total.keptMacs).toBe(78400 + 30000 + 1000);
    expect(c.layers[0].sparsity).toBeCloseTo(1 - 78400 / 235200, 12);
    expect(c.total.sparsity).toBeCloseTo(1 - (78400 + 31000) / 266200, 12);
  });

  it('MLP structured: a removed unit also removes its bias and the next layer inputs', () => {
    const masks: CountMasks = new Map([['fc1/kernel', unitMask(300, range(100))]]);
    const p = countParams(mlpSpec(), masks);
    expect(p.kept).toBe(784 * 200 + 200 + 30100 + 1010); // own masks only
    expect(p.effective).toBe(784 * 200 + 200 + (200 * 100 + 100) + 1010); // 178110
    const m = countMacs(mlpSpec(), masks);
    expect(m.effective).toBe(784 * 200 + 200 * 100 + 100 * 10); // 177800
    expect(m.kept).toBe(784 * 200 + 300 * 100 + 100 * 10);
  });

  it('LeNet structured conv2 propagates through pool and NHWC flatten into fc1', () => {
    const masks: CountMasks = new Map([['conv2/kernel', unitMask(16, [0, 3, 5, 6, 9, 15])]]);
    const c = countModel(lenetSpec(), masks);
    expect(c.layers[1].effectiveWeights).toBe(25 * 6 * 10);
    expect(c.layers[1].effectiveParams).toBe(25 * 6 * 10 + 10);
    expect(c.layers[2].effectiveWeights).toBe(5 * 5 * 10 * 120); // 250 live features
    expect(c.total.effectiveMacs).toBe(117600 + 100 * 1500 + 250 * 120 + 10080 + 840); // 308520
    expect(c.total.effectiveParams).toBe(156 + 1510 + 30120 + 10164 + 850); // 42800
  });

  it('unstructured after structured: effective counts kept weights whose input channel lives', () => {
    const data = new Float32Array(5 * 5 * 6 * 16);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 5 < 2 ? 1 : 0;
    const dead = new Set([1, 4]);
    let kept = 0;
    let live = 0;
    for (let kh = 0; kh < 5; kh++)
      for (let kw = 0; kw < 5; kw++)
        for (let ci = 0; ci < 6; ci++)
          for (let co = 0; co < 16; co++) {
            if (data[((kh * 5 + kw) * 6 + ci) * 16 + co] === 0) continue;
            kept++;
            if (!dead.has(ci)) live++;
          }
    const masks: CountMasks = new Map<string, PlainMask>([
      ['conv1/kernel', unitMask(6, [...dead])],
      ['conv2/kernel', { shape: [5, 5, 6, 16], data }],
    ]);
    const c = countModel(lenetSpec(), masks);
    expect(c.layers[1].keptWeights).toBe(kept);
    expect(c.layers[1].effectiveWeights).toBe(live);
    expect(c.layers[1].effectiveMacs).toBe(100 * live);
    expect(live).toBeLessThan(kept);
  });

  it('residual: a channel dies only when both branches drop it', () => {
    const drop = (names: string[]): CountMasks => new Map(names.map((n) => [n, unitMask(16, [0])]));
    const b2 = (masks: CountMasks): number[] =>
      countModel(resnetSmallSpec(), masks)
        .layers.filter((l) => l.layer.startsWith('block2/conv1') || l.layer === 'block2/shortcut')
        .map((l) => l.effectiveWeights);
    expect(b2(drop(['block1/conv2/kernel']))).toEqual([9 * 16 * 32, 16 * 32]); // identity keeps it
    expect(b2(drop(['stem/kernel', 'block1/conv2/kernel']))).toEqual([9 * 15 * 32, 15 * 32]);
    // the stem channel alone: block1/conv1 loses an input, the block output keeps conv2's channel
    const c = countModel(resnetSmallSpec(), drop(['stem/kernel']));
    expect(c.layers[1].effectiveWeights).toBe(9 * 15 * 16);
    expect(c.layers[3].effectiveWeights).toBe(9 * 16 * 32);
  });

  it('kept fractions, VGG global sparsity', () => {
    const masks: CountMasks = new Map([
      ['conv2/kernel', 0.25],
      ['fc1/kernel', 0.1],
    ]);
    const c = countModel(vggSmallSpec(), masks);
    const w = c.layers.map((l) => l.weights);
    expect(c.layers[1].keptWeights).toBe(Math.round(0.25 * w[1]));
    expect(c.layers[4].keptWeights).toBe(Math.round(0.1 * w[4]));
    const kept = w[0] + Math.round(0.25 * w[1]) + w[2] + w[3] + Math.round(0.1 * w[4]) + w[5];
    expect(c.total.sparsity).toBeCloseTo(1 - kept / w.reduce((a, b) => a + b), 12);
  });

  it('tensor masks read asynchronously give the same counts, without leaks', async () => {
    const m = tf.tensor1d(unitMask(16, [2, 7]).data);
    const async = await countModelAsync(lenetSpec(), new Map([['conv2/kernel', m]]));
    const plain = countModel(lenetSpec(), new Map([['conv2/kernel', unitMask(16, [2, 7])]]));
    expect(async).toEqual(plain);
    await expectNoLeak(() => countModelAsync(lenetSpec(), new Map([['conv2/kernel', m]])));
    m.dispose();
  });

  it('rejects masks that do not fit', () => {
    expect(() => countModel(mlpSpec(), new Map([['fc9/kernel', 0.5]]))).toThrow(ModelInputError);
    expect(() => countModel(mlpSpec(), new Map([['fc1/kernel', 1.5]]))).toThrow(/\[0, 1\]/);
    expect(() => countModel(mlpSpec(), new Map([['fc1/kernel', unitMask(100, [])]]))).toThrow(
      /expected \[784,300\] or \[300\]/,
    );
    const short = { shape: [784, 300], data: new Float32Array(10) };
    expect(() => countModel(mlpSpec(), new Map([['fc1/kernel', short]]))).toThrow(/10 values/);
  });
});
