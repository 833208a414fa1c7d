// Clean accuracy helpers: agreement with a direct argmax, batching invariance, plain-array and
// tensor inputs, clear errors, and no tensor leaks.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accuracy,
  correctness,
  correctOn,
  dataView,
  EvalInputError,
  predict,
} from '@/engine/eval/accuracy';
import {
  mlpModel,
  syntheticData,
  toTensors,
  type SyntheticData,
  type TinyModel,
} from '../attacks/tiny-models';

let model: TinyModel;
let data: SyntheticData;
let x: tf.Tensor4D;
let y: tf.Tensor1D;
let expectedPred: number[];

beforeAll(async () => {
  model = mlpModel([5, 5, 1], 8, 3, 4);
  data = syntheticData(23, [5, 5, 1], 3, 1, 2);
  ({ x, y } = toTensors(data));
  const p = tf.tidy(() => tf.argMax(model.f(x), 1));
  expectedPred = Array.from(await p.data());
  p.dispose();
});

afterAll(() => {
  tf.dispose([x, y]);
  model.dispose();
});

describe('accuracy helpers', () => {
  it('predict equals a direct argmax, for any batch size', async () => {
    for (const bs of [1, 4, 23, 100]) {
      expect(Array.from(await predict(model.f, x, bs))).toEqual(expectedPred);
    }
  });

  it('correctness and accuracy agree with the predictions', async () => {
    const want: number[] = expectedPred.map((p, i) => (p === data.y[i] ? 1 : 0));
    for (const bs of [1, 5, 64]) {
      expect(Array.from(await correctness(model.f, x, y, bs))).toEqual(want);
      expect(await accuracy(model.f, x, y, bs)).toBeCloseTo(
        want.reduce((a, b) => a + b, 0) / 23,
        10,
      );
    }
    // the untrained model is neither always right nor always wrong: the test is not vacuous
    expect(new Set(want).size).toBe(2);
  });

  it('plain arrays and tensors give the same answer, also on a subset of indices', async () => {
    const fromArrays = await dataView({ x: data.x, y: data.y, shape: data.shape });
    const fromTensors = await dataView({ x, y });
    const idx = [22, 0, 7, 7, 13];
    const a = await correctOn(model.f, fromArrays, 2, idx);
    const b = await correctOn(model.f, fromTensors, 3, idx);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).toEqual(idx.map((i) => (expectedPred[i] === data.y[i] ? 1 : 0)));
  });

  it('rejects bad data and batch sizes with EvalInputError', async () => {
    await expect(dataView({ x: data.x.subarray(1), y: data.y, shape: data.shape })).rejects.toThrow(
      EvalInputError,
    );
    await expect(dataView({ x: data.x, y: data.y, shape: [5, 5, 0] })).rejects.toThrow(/shape/);
    await expect(accuracy(model.f, x, y, 0)).rejects.toThrow(/batchSize/);
    const yBad = tf.tensor1d(
      Array.from(data.y, (v, i) => (i === 3 ? 7 : v)),
      'int32',
    );
    await expect(accuracy(model.f, x, yBad, 8)).rejects.toThrow(
      /label 7 of sample 3 is outside \[0, 3\)/,
    );
    const yFloat = tf.tensor1d(Array.from(data.y), 'float32');
    await expect(accuracy(model.f, x, yFloat as tf.Tensor1D, 8)).rejects.toThrow(EvalInputError);
    tf.dispose([yBad, yFloat]);
  });

  it('does not leak tensors', async () => {
    const view = await dataView({ x: data.x, y: data.y, shape: data.shape });
    await accuracy(model.f, x, y, 7);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      await accuracy(model.f, x, y, 7);
      await predict(model.f, x, 5);
      await correctOn(model.f, view, 4, [1, 2, 3]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
