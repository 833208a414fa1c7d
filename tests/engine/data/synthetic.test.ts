// Synthetic data: seeded, in range, balanced, and learnable: a linear softmax model trained for a
// few hundred milliseconds reaches > 90% on held-out samples.
import * as tf from '@tensorflow/tfjs-core';
// gradients are not registered by tfjs-core alone (the union package @tensorflow/tfjs does it)
import { describe, expect, it } from 'vitest';
import {
  batches,
  classCounts,
  syntheticDataset,
  toTensors,
  trainValSplit,
  validateDataset,
} from '@/engine/data';

describe('syntheticDataset', () => {
  it('is seeded, valid, in [0, 1] and balanced', () => {
    const opts = { n: 103, shape: [6, 5, 2] as [number, number, number], numClasses: 4, seed: 9 };
    const a = syntheticDataset(opts);
    validateDataset(a);
    expect(a.images.length).toBe(103 * 60);
    const counts = classCounts(a);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    const b = syntheticDataset(opts);
    expect(Array.from(b.images)).toEqual(Array.from(a.images));
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
    const c = syntheticDataset({ ...opts, seed: 10 });
    expect(Array.from(c.images)).not.toEqual(Array.from(a.images));
    expect(() => syntheticDataset({ ...opts, numClasses: 1 })).toThrow(RangeError);
    expect(() => syntheticDataset({ ...opts, n: 0 })).toThrow(RangeError);
  });

  it('noise 0 gives the class prototypes; classes differ', () => {
    const ds = syntheticDataset({ n: 20, shape: [8, 8, 1], numClasses: 4, seed: 2, noise: 0 });
    const img = (i: number) => ds.images.subarray(i * 64, i * 64 + 64);
    const first = new Map<number, Float32Array>();
    for (let i = 0; i < 20; i++) {
      const k = ds.labels[i];
      const seen = first.get(k);
      if (seen === undefined) first.set(k, img(i));
      else expect(Array.from(img(i))).toEqual(Array.from(seen));
    }
    const protos = [...first.values()];
    for (let a = 0; a < protos.length; a++)
      for (let b = a + 1; b < protos.length; b++) {
        const d = Math.sqrt(protos[a].reduce((s, v, j) => s + (v - protos[b][j]) ** 2, 0));
        expect(d).toBeGreaterThan(0.5);
      }
  });

  it('a linear softmax model learns it to > 90% held-out accuracy', async () => {
    const ds = syntheticDataset({ n: 1000, shape: [8, 8, 1], numClasses: 10, seed: 4, noise: 0.2 });
    const { train, val } = trainValSplit(ds, 0.2, 1);
    const w = tf.variable(tf.zeros([64, 10])); // [D, K]
    const b = tf.variable(tf.zeros([10])); // [K]
    const opt = tf.train.adam(0.05);
    const logits = (x: tf.Tensor4D) => tf.add(tf.matMul(tf.reshape(x, [-1, 64]), w), b); // [B, K]
    for (let epoch = 0; epoch < 5; epoch++) {
      for (const batch of batches(train, { batchSize: 64, seed: 3 }, { epoch })) {
        const { x, y } = toTensors(batch, train.shape);
        opt.minimize(() => tf.losses.softmaxCrossEntropy(tf.oneHot(y, 10), logits(x)));
        tf.dispose([x, y]);
      }
    }
    const all = batches(val, val.labels.length).next().value;
    if (all === undefined) throw new Error('no validation batch');
    const { x, y } = toTensors(all, val.shape);
    const acc = tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(logits(x), 1), y), 'float32')));
    const accuracy = (await acc.data())[0];
    tf.dispose([x, y, acc, w, b]);
    opt.dispose();
    expect(accuracy).toBeGreaterThan(0.9);
  });
});
