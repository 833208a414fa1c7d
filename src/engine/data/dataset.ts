/**
 * The in-memory dataset every loader produces and every trainer, attack and evaluator consumes,
 * plus the plain-data operations on it (validation, subsets, concatenation, channel statistics).
 *
 * Layout: images NHWC `[N, H, W, C]` as Float32 pixels in [0, 1] (uint8 sources are divided by
 * 255); labels int32 `[N]` in [0, numClasses).
 *
 * Normalization policy: models take [0, 1] pixels and attacks work in [0, 1] space (ε, the valid
 * box and the clamp are all defined there). So a dataset is never normalized in place; when a
 * model wants standardized inputs, `channelStats` gives the per-channel mean and std and the model
 * applies `(x − mean) / std` as its own first, affine, differentiable op.
 */
import { DatasetError } from './errors';

export interface Dataset {
  /** display name, e.g. 'fashion-mnist-test' */
  name: string;
  /** `[N, H, W, C]` row-major, pixels in [0, 1] */
  images: Float32Array;
  /** `[N]`, each in [0, numClasses) */
  labels: Int32Array;
  /** `[H, W, C]` of one image */
  shape: [number, number, number];
  /** number of classes K (logits are `[B, K]`) */
  numClasses: number;
  /** optional class names, `numClasses` long */
  classNames?: string[];
}

/** Number of samples N. */
export function datasetSize(ds: Dataset): number {
  return ds.labels.length;
}

/** Number of values in one image, H·W·C. */
export function imageSize(shape: readonly [number, number, number]): number {
  return shape[0] * shape[1] * shape[2];
}

/**
 * Checks that every label lies in [0, numClasses).
 * @throws DatasetError `label-out-of-range` naming the first bad index and value
 */
export function checkLabels(labels: ArrayLike<number>, numClasses: number, file: string): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!(Number.isInteger(v) && v >= 0 && v < numClasses)) {
      throw new DatasetError(
        file,
        'label-out-of-range',
        `label at index ${i} is ${v}, outside [0, ${numClasses}) (${numClasses} classes)`,
      );
    }
  }
}

/**
 * Checks a Dataset's internal consistency: positive integer shape, image buffer length
 * N·H·W·C, labels in range, pixels in [0, 1], class names count. For user-built datasets.
 * @throws DatasetError naming `ds.name` as the file
 */
export function validateDataset(ds: Dataset): void {
  const f = ds.name;
  const [h, w, c] = ds.shape;
  if (![h, w, c].every((d) => Number.isSafeInteger(d) && d > 0)) {
    throw new DatasetError(f, 'bad-shape', `image shape [${ds.shape.join(', ')}] is not positive`);
  }
  if (!(Number.isSafeInteger(ds.numClasses) && ds.numClasses >= 1)) {
    throw new DatasetError(f, 'bad-shape', `numClasses must be a positive integer`);
  }
  const n = ds.labels.length;
  if (ds.images.length !== n * h * w * c) {
    throw new DatasetError(
      f,
      'size-mismatch',
      `${n} labels × ${h}×${w}×${c} need ${n * h * w * c} pixel values, images hold ${ds.images.length}`,
    );
  }
  checkLabels(ds.labels, ds.numClasses, f);
  for (let i = 0; i < ds.images.length; i++) {
    const v = ds.images[i];
    if (!(v >= 0 && v <= 1)) {
      throw new DatasetError(f, 'pixel-out-of-range', `pixel value ${v} at flat index ${i}`);
    }
  }
  if (ds.classNames !== undefined && ds.classNames.length !== ds.numClasses) {
    throw new DatasetError(
      f,
      'size-mismatch',
      `${ds.classNames.length} class names for ${ds.numClasses} classes`,
    );
  }
}

/**
 * The samples at `indices`, in that order (copies; repeats allowed).
 * @param indices each an integer in [0, N)
 */
export function subset(ds: Dataset, indices: ArrayLike<number>, name = ds.name): Dataset {
  const n = datasetSize(ds);
  const size = imageSize(ds.shape);
  const images = new Float32Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!(Number.isInteger(i) && i >= 0 && i < n)) {
      throw new RangeError(`subset: index ${i} (position ${k}) is outside [0, ${n})`);
    }
    images.set(ds.images.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = ds.labels[i];
  }
  return { ...ds, name, images, labels };
}

/** The first `min(n, N)` samples (copies). @param n a non-negative integer */
export function take(ds: Dataset, n: number, name = ds.name): Dataset {
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`take: n must be ≥ 0, got ${n}`);
  const m = Math.min(n, datasetSize(ds));
  const size = imageSize(ds.shape);
  return {
    ...ds,
    name,
    images: ds.images.slice(0, m * size),
    labels: ds.labels.slice(0, m),
  };
}

/**
 * Joins datasets with the same image shape and number of classes (e.g. CIFAR-10's five training
 * batches). Class names come from the first part.
 */
export function concatDatasets(parts: readonly Dataset[], name?: string): Dataset {
  if (parts.length === 0) throw new RangeError('concatDatasets: no datasets given');
  const first = parts[0];
  for (const p of parts) {
    if (p.shape.join() !== first.shape.join() || p.numClasses !== first.numClasses) {
      throw new DatasetError(
        p.name,
        'bad-shape',
        `shape [${p.shape.join(', ')}] with ${p.numClasses} classes cannot join ` +
          `${first.name}'s [${first.shape.join(', ')}] with ${first.numClasses} classes`,
      );
    }
  }
  const images = new Float32Array(parts.reduce((s, p) => s + p.images.length, 0));
  const labels = new Int32Array(parts.reduce((s, p) => s + p.labels.length, 0));
  let io = 0;
  let lo = 0;
  for (const p of parts) {
    images.set(p.images, io);
    labels.set(p.labels, lo);
    io += p.images.length;
    lo += p.labels.length;
  }
  return { ...first, name: name ?? first.name, images, labels };
}

/** Count of samples per class, length numClasses. */
export function classCounts(ds: Dataset): number[] {
  const counts = new Array<number>(ds.numClasses).fill(0);
  for (let i = 0; i < ds.labels.length; i++) counts[ds.labels[i]]++;
  return counts;
}

/**
 * Per-channel mean and population standard deviation of the pixels, in [0, 1] pixel units, each
 * of length C. For a model-side normalization layer `(x − mean) / std` (see the module comment).
 */
export function channelStats(ds: Dataset): { mean: number[]; std: number[] } {
  const c = ds.shape[2];
  const sum = new Float64Array(c);
  const sumSq = new Float64Array(c);
  for (let i = 0; i < ds.images.length; i++) {
    const v = ds.images[i];
    sum[i % c] += v;
    sumSq[i % c] += v * v;
  }
  const count = ds.images.length / c;
  const mean = Array.from(sum, (s) => (count > 0 ? s / count : 0));
  const std = Array.from(sumSq, (s, k) =>
    count > 0 ? Math.sqrt(Math.max(0, s / count - mean[k] * mean[k])) : 0,
  );
  return { mean, std };
}
