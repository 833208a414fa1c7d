/**
 * Clean accuracy: predictions, per-sample correctness and accuracy of a logits function, batched
 * so memory stays bounded by `batchSize` images, plus a batch-addressable view of a labeled data
 * set given either as plain arrays (what crosses the worker boundary) or as tensors.
 *
 * Shapes: images `[N, H, W, C]` float32 with pixels in [0, 1]; labels `[N]` int32 in [0, K);
 * logits `[B, K]`. Results are plain numbers / typed arrays; no tensor escapes.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LogitsFn } from '../model/types';
import { EvalInputError } from './errors';

/** Bad data or arguments given to an evaluation function (errors.ts). */
export { EvalInputError };

/** A labeled data set: plain arrays (row-major NHWC) or tensors. */
export type LabeledData =
  | { x: Float32Array; y: Int32Array; shape: readonly [number, number, number] }
  | { x: tf.Tensor4D; y: tf.Tensor1D };

/** Random access to a labeled data set in batches. */
export interface DataView {
  /** number of samples N */
  n: number;
  /** image shape [H, W, C] */
  shape: [number, number, number];
  /** labels `[N]` */
  labels: Int32Array;
  /** images at `indices` as a new `[len, H, W, C]` tensor the caller owns */
  batch(indices: ArrayLike<number>): tf.Tensor4D;
}

/** Check a data set and wrap it for batched access (reads tensor labels once). */
export async function dataView(data: LabeledData): Promise<DataView> {
  if (data.x instanceof Float32Array) {
    const { x, y, shape } = data as { x: Float32Array; y: Int32Array; shape: readonly number[] };
    if (!(y instanceof Int32Array)) throw new EvalInputError('labels y must be an Int32Array');
    if (shape?.length !== 3 || !shape.every((s) => Number.isInteger(s) && s > 0)) {
      throw new EvalInputError(
        `shape must be [H, W, C] of positive integers, got ${JSON.stringify(shape)}`,
      );
    }
    const [h, w, c] = shape;
    const d = h * w * c;
    if (x.length !== y.length * d) {
      throw new EvalInputError(
        `x has ${x.length} values, expected ${y.length} × ${h}×${w}×${c} = ${y.length * d}`,
      );
    }
    return {
      n: y.length,
      shape: [h, w, c],
      labels: y,
      batch: (idx) => {
        const out = new Float32Array(idx.length * d);
        for (let i = 0; i < idx.length; i++)
          out.set(x.subarray(idx[i] * d, (idx[i] + 1) * d), i * d);
        return tf.tensor4d(out, [idx.length, h, w, c]);
      },
    };
  }
  const { x, y } = data as { x: unknown; y: unknown };
  if (!(x instanceof tf.Tensor) || x.rank !== 4 || x.dtype !== 'float32') {
    throw new EvalInputError(
      'x must be a Float32Array (with shape) or a float32 tensor [N, H, W, C]',
    );
  }
  if (
    !(y instanceof tf.Tensor) ||
    y.rank !== 1 ||
    y.dtype !== 'int32' ||
    y.shape[0] !== x.shape[0]
  ) {
    throw new EvalInputError(`y must be an int32 tensor [${x.shape[0]}]`);
  }
  const x4 = x as tf.Tensor4D;
  return {
    n: x4.shape[0],
    shape: [x4.shape[1], x4.shape[2], x4.shape[3]],
    labels: (await y.data()) as Int32Array,
    batch: (idx) => tf.tidy(() => tf.gather(x4, tf.tensor1d(Array.from(idx), 'int32'))),
  };
}

function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new EvalInputError(`batchSize must be an integer ≥ 1, got ${batchSize}`);
  }
}

/** Predicted classes argmax_k f(x)_k for the images `[B, H, W, C]`: Int32Array `[B]`. */
async function argmaxOf(f: LogitsFn, x: tf.Tensor4D): Promise<{ pred: Int32Array; k: number }> {
  let k = 0;
  const p = tf.tidy(() => {
    const z = f(x); // [B, K]
    k = z.shape[1];
    return tf.argMax(z, 1); // [B]
  });
  const pred = (await p.data()) as Int32Array;
  p.dispose();
  return { pred, k };
}

/**
 * Per-sample correctness (1 = argmax f(x) equals the label) of the samples at `indices` (all by
 * default), in `batchSize` batches. Returns a Uint8Array aligned with `indices`.
 */
export async function correctOn(
  f: LogitsFn,
  view: DataView,
  batchSize: number,
  indices?: ArrayLike<number>,
): Promise<Uint8Array> {
  checkBatchSize(batchSize);
  const idx = indices ?? Int32Array.from({ length: view.n }, (_, i) => i);
  const out = new Uint8Array(idx.length);
  for (let start = 0; start < idx.length; start += batchSize) {
    const sel = Array.prototype.slice.call(idx, start, start + batchSize) as number[];
    const xb = view.batch(sel);
    const { pred, k } = await argmaxOf(f, xb).finally(() => xb.dispose());
    for (let i = 0; i < sel.length; i++) {
      const label = view.labels[sel[i]];
      if (!(label >= 0 && label < k)) {
        throw new EvalInputError(`label ${label} of sample ${sel[i]} is outside [0, ${k})`);
      }
      out[start + i] = pred[i] === label ? 1 : 0;
    }
  }
  return out;
}

/** Predicted classes of images `[N, H, W, C]` in [0, 1]: Int32Array `[N]`. */
export async function predict(f: LogitsFn, x: tf.Tensor4D, batchSize = 256): Promise<Int32Array> {
  checkBatchSize(batchSize);
  const n = x.shape[0];
  const out = new Int32Array(n);
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const xb = tf.slice(x, [start, 0, 0, 0], [size, -1, -1, -1]);
    const { pred } = await argmaxOf(f, xb).finally(() => xb.dispose());
    out.set(pred, start);
  }
  return out;
}

/** Per-sample correctness (1 = correct) of images `[N, H, W, C]` against int32 labels `[N]`. */
export async function correctness(
  f: LogitsFn,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  batchSize = 256,
): Promise<Uint8Array> {
  return correctOn(f, await dataView({ x, y }), batchSize);
}

/** Accuracy in [0, 1] of f on images `[N, H, W, C]` with int32 labels `[N]` (N ≥ 1). */
export async function accuracy(
  f: LogitsFn,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  batchSize = 256,
): Promise<number> {
  const c = await correctness(f, x, y, batchSize);
  if (c.length === 0) throw new EvalInputError('accuracy of an empty data set is undefined');
  return c.reduce((s, v) => s + v, 0) / c.length;
}
