/**
 * Fashion-MNIST (public/datasets/fashion-mnist, 28×28×1, pixels in [0, 1], 10 classes) for the
 * benchmarks, loaded once, and a helper that uploads a fixed batch as tensors.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../../src/engine/data/dataset';
import { loadFashionMnist } from '../../src/engine/data/fashion-mnist';

export const DATA_DIR = path.resolve(import.meta.dirname, '../../public/datasets/fashion-mnist');

let cache: Promise<{ train: Dataset; test: Dataset }> | undefined;

/** Both splits (60,000 train, 10,000 test), memoized. */
export function fashionMnist(): Promise<{ train: Dataset; test: Dataset }> {
  const read = async (f: string) => new Uint8Array(await readFile(path.join(DATA_DIR, f)));
  cache ??= Promise.all([loadFashionMnist(read, 'train'), loadFashionMnist(read, 'test')]).then(
    ([train, test]) => ({ train, test }),
  );
  return cache;
}

/** The first `n` samples from `start` as x `[n, 28, 28, 1]` and y `[n]` int32; caller disposes. */
export function batchTensors(
  ds: Dataset,
  start: number,
  n: number,
): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const [h, w, c] = ds.shape;
  const size = h * w * c;
  const x = tf.tensor4d(ds.images.slice(start * size, (start + n) * size), [n, h, w, c]); // [n, H, W, C]
  const y = tf.tensor1d(ds.labels.slice(start, start + n), 'int32'); // [n]
  return { x, y };
}
