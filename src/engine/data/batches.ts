/**
 * Mini-batches as plain data, and their conversion to tensors.
 *
 * A batch stream is fully described by a `BatchPlan` (numbers only) and a position
 * (epoch, batch). The order of epoch e is `epochOrder(n, seed, e)`, so a training run that saved
 * `{ epoch, batch }` resumes with `batches(ds, plan, { epoch, startBatch: batch })` and sees
 * exactly the batches an uninterrupted run would have seen.
 */
import * as tf from '@tensorflow/tfjs-core';
import { datasetSize, imageSize, type Dataset } from './dataset';
import { epochOrder } from './order';

/** Everything that fixes the batch order; plain data, safe to store in a checkpoint. */
export interface BatchPlan {
  /** samples per batch, a positive integer */
  batchSize: number;
  /** shuffle each epoch (default: true when `seed` is given, else false) */
  shuffle?: boolean;
  /** seed of the per-epoch permutations; required when shuffling */
  seed?: number;
  /** drop the last batch when it is smaller than batchSize (default false) */
  dropLast?: boolean;
}

/** One mini-batch, plain data: crosses the worker boundary as is. */
export interface Batch {
  /** `[size, H, W, C]` pixels in [0, 1] */
  x: Float32Array;
  /** `[size]` labels */
  y: Int32Array;
  /** number of samples in this batch (≤ batchSize) */
  size: number;
  /** dataset indices of the samples, in batch order */
  indices: Int32Array;
  /** the epoch this batch belongs to */
  epoch: number;
  /** position of this batch within its epoch, from 0 */
  batch: number;
}

function checkPlan(plan: BatchPlan): boolean {
  if (!(Number.isSafeInteger(plan.batchSize) && plan.batchSize > 0)) {
    throw new RangeError(`batchSize must be a positive integer, got ${plan.batchSize}`);
  }
  const shuffle = plan.shuffle ?? plan.seed !== undefined;
  if (shuffle && plan.seed === undefined) {
    throw new RangeError('shuffled batches need a seed (determinism)');
  }
  return shuffle;
}

/** Number of batches in one epoch of `n` samples. */
export function batchesPerEpoch(n: number, plan: BatchPlan): number {
  checkPlan(plan);
  return plan.dropLast ? Math.floor(n / plan.batchSize) : Math.ceil(n / plan.batchSize);
}

/** The sample order of `epoch` under `plan`: identity when not shuffling. */
export function planOrder(n: number, plan: BatchPlan, epoch: number): Int32Array {
  if (checkPlan(plan)) return epochOrder(n, plan.seed as number, epoch);
  return Int32Array.from({ length: n }, (_, i) => i);
}

/** Copies the samples at `indices` into a plain batch. */
export function gatherBatch(ds: Dataset, indices: Int32Array, epoch = 0, batch = 0): Batch {
  const size = imageSize(ds.shape);
  const n = datasetSize(ds);
  const x = new Float32Array(indices.length * size);
  const y = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!(i >= 0 && i < n)) throw new RangeError(`gatherBatch: index ${i} is outside [0, ${n})`);
    x.set(ds.images.subarray(i * size, (i + 1) * size), k * size);
    y[k] = ds.labels[i];
  }
  return { x, y, size: indices.length, indices, epoch, batch };
}

export interface BatchesOptions {
  /** epoch whose order to use (default 0) */
  epoch?: number;
  /** first batch to yield within the epoch, for resuming (default 0) */
  startBatch?: number;
}

/**
 * Yields the batches of one epoch, in order, from `startBatch`. Every sample appears exactly once
 * per epoch (except the dropped tail with `dropLast`).
 * @param plan a BatchPlan, or just the batch size (no shuffling)
 */
export function* batches(
  ds: Dataset,
  plan: BatchPlan | number,
  opts: BatchesOptions = {},
): Generator<Batch, void, undefined> {
  const p: BatchPlan = typeof plan === 'number' ? { batchSize: plan } : plan;
  const epoch = opts.epoch ?? 0;
  const n = datasetSize(ds);
  const count = batchesPerEpoch(n, p);
  const start = opts.startBatch ?? 0;
  if (!(Number.isSafeInteger(start) && start >= 0 && start <= count)) {
    throw new RangeError(`startBatch must be an integer in [0, ${count}], got ${start}`);
  }
  const order = planOrder(n, p, epoch);
  for (let b = start; b < count; b++) {
    const indices = order.slice(b * p.batchSize, Math.min(n, (b + 1) * p.batchSize));
    yield gatherBatch(ds, indices, epoch, b);
  }
}

/**
 * Uploads a batch: x `[size, H, W, C]` float32 and y `[size]` int32. The caller owns (and
 * disposes) both tensors.
 * @param shape `[H, W, C]` of one image (the dataset's `shape`)
 */
export function toTensors(
  batch: Pick<Batch, 'x' | 'y' | 'size'>,
  shape: readonly [number, number, number],
): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const [h, w, c] = shape;
  if (batch.x.length !== batch.size * h * w * c || batch.y.length !== batch.size) {
    throw new RangeError(
      `toTensors: batch of ${batch.size} with shape [${shape.join(', ')}] needs ` +
        `${batch.size * h * w * c} pixels and ${batch.size} labels, ` +
        `got ${batch.x.length} and ${batch.y.length}`,
    );
  }
  const x = tf.tensor4d(batch.x, [batch.size, h, w, c], 'float32'); // [B, H, W, C]
  const y = tf.tensor1d(batch.y, 'int32'); // [B]
  return { x, y };
}
