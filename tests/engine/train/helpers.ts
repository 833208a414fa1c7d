// Shared fixtures for the training tests: synthetic data on 8×8 images and weight comparisons
// (the tiny specs: tests/fixtures/models.ts).
import type * as tf from '@tensorflow/tfjs-core';
import { syntheticDataset } from '@/engine/data/synthetic';
import { trainValSplit } from '@/engine/data/order';
import type { Dataset } from '@/engine/data/dataset';
import type { Model } from '@/engine/model/types';
import { K, SHAPE } from '../../fixtures/models';

/** Train and validation parts of one synthetic dataset (same class prototypes). */
export function splitData(
  nTrain: number,
  nVal: number,
  seed = 3,
  noise = 0.15,
): { train: Dataset; val: Dataset } {
  const ds = syntheticDataset({ n: nTrain + nVal, shape: SHAPE, numClasses: K, seed, noise });
  return trainValSplit(ds, nVal / (nTrain + nVal), seed);
}

/** Every parameter and buffer as plain arrays, by name. */
export async function weightsOf(model: Model): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const m of [model.params, model.buffers]) {
    for (const [n, v] of m) out.set(n, new Float32Array(await v.data()));
  }
  return out;
}

/** Number of positions where two weight maps differ bitwise (NaN-safe), plus missing names. */
export function countBitDifferences(
  a: Map<string, Float32Array>,
  b: Map<string, Float32Array>,
): number {
  let diff = 0;
  for (const [n, x] of a) {
    const y = b.get(n);
    if (!y || y.length !== x.length) {
      diff += x.length;
      continue;
    }
    const xi = new Uint32Array(x.buffer, x.byteOffset, x.length);
    const yi = new Uint32Array(y.buffer, y.byteOffset, y.length);
    for (let i = 0; i < xi.length; i++) if (xi[i] !== yi[i]) diff++;
  }
  return diff + [...b.keys()].filter((n) => !a.has(n)).length;
}

export async function values(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

/** Reads a tensor's values and disposes it. */
export async function consume(t: tf.Tensor): Promise<number[]> {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
}
