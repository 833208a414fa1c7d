// Batches: every index once per epoch, seeded order, exact resume mid-epoch, dropLast, and
// toTensors shapes, dtypes and leaks.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  batches,
  batchesPerEpoch,
  syntheticDataset,
  toTensors,
  type Batch,
  type BatchPlan,
} from '@/engine/data';

const ds = syntheticDataset({ n: 103, shape: [4, 4, 2], numClasses: 5, seed: 11 });
const plan: BatchPlan = { batchSize: 10, seed: 123 };

const order = (bs: Batch[]) => bs.flatMap((b) => Array.from(b.indices));

describe('batches', () => {
  it('covers every index exactly once per epoch, with the right sample data', () => {
    const bs = [...batches(ds, plan, { epoch: 2 })];
    expect(bs.length).toBe(11);
    expect(bs.map((b) => b.size)).toEqual([...new Array(10).fill(10), 3]);
    expect(order(bs).sort((a, b) => a - b)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    for (const b of bs) {
      expect(b.epoch).toBe(2);
      expect(b.x.length).toBe(b.size * 32);
      b.indices.forEach((i, k) => {
        expect(b.y[k]).toBe(ds.labels[i]);
        expect(b.x[k * 32 + 17]).toBe(ds.images[i * 32 + 17]);
      });
    }
  });

  it('same seed and epoch → same batches; other seed or epoch → other order', () => {
    const a = order([...batches(ds, plan, { epoch: 1 })]);
    expect(order([...batches(ds, plan, { epoch: 1 })])).toEqual(a);
    expect(order([...batches(ds, plan, { epoch: 2 })])).not.toEqual(a);
    expect(order([...batches(ds, { ...plan, seed: 124 }, { epoch: 1 })])).not.toEqual(a);
  });

  it('resuming at (epoch, batch) yields exactly the remaining batches', () => {
    const full = [...batches(ds, plan, { epoch: 4 })];
    const resumed = [...batches(ds, plan, { epoch: 4, startBatch: 6 })];
    expect(resumed.map((b) => b.batch)).toEqual([6, 7, 8, 9, 10]);
    resumed.forEach((b, k) => {
      expect(Array.from(b.indices)).toEqual(Array.from(full[6 + k].indices));
      expect(Array.from(b.x)).toEqual(Array.from(full[6 + k].x));
    });
    expect([...batches(ds, plan, { epoch: 4, startBatch: 11 })].length).toBe(0);
    expect(() => [...batches(ds, plan, { startBatch: 12 })]).toThrow(RangeError);
  });

  it('unshuffled batches follow dataset order; dropLast drops the short tail', () => {
    expect(order([...batches(ds, 25)])).toEqual(Array.from({ length: 103 }, (_, i) => i));
    const dropped = [...batches(ds, { ...plan, dropLast: true })];
    expect(dropped.length).toBe(10);
    expect(batchesPerEpoch(103, { ...plan, dropLast: true })).toBe(10);
    expect(new Set(order(dropped)).size).toBe(100);
    expect(() => [...batches(ds, { batchSize: 4, shuffle: true })]).toThrow(/seed/);
    expect(() => [...batches(ds, 0)]).toThrow(RangeError);
  });

  it('toTensors gives [B, H, W, C] float32 and [B] int32 equal to the batch', async () => {
    const b = batches(ds, plan).next().value as Batch;
    const { x, y } = toTensors(b, ds.shape);
    expect(x.shape).toEqual([10, 4, 4, 2]);
    expect(x.dtype).toBe('float32');
    expect(y.shape).toEqual([10]);
    expect(y.dtype).toBe('int32');
    expect(Array.from(await x.data())).toEqual(Array.from(b.x));
    expect(Array.from(await y.data())).toEqual(Array.from(b.y));
    tf.dispose([x, y]);
    expect(() => toTensors(b, [4, 4, 3])).toThrow(RangeError);
  });

  it('toTensors leaks nothing once its outputs are disposed', () => {
    const b = batches(ds, plan).next().value as Batch;
    tf.dispose(Object.values(toTensors(b, ds.shape))); // burn-in
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) tf.dispose(Object.values(toTensors(b, ds.shape)));
    expect(() => toTensors(b, [1, 1, 1])).toThrow();
    expect(tf.memory().numTensors).toBe(before);
  });
});
