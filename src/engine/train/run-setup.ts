/**
 * Checks and helpers of the training loop: data/model compatibility, resume compatibility, the
 * FGSM-RS guard's check batch and weight snapshots, cooperative yielding.
 */
import * as tf from '@tensorflow/tfjs-core';
import { toTensors } from '../data/batches';
import { datasetSize, imageSize, type Dataset } from '../data/dataset';
import type { Model, ParamName } from '../model/types';
import type { Checkpoint } from './checkpoint';
import type { TrainConfig } from './config';
import { TrainError } from './errors';

/**
 * @throws TrainError `bad-data` when `ds` is empty or its images/classes do not fit the model
 */
export function checkDataset(model: Model, ds: Dataset | undefined, role: string): void {
  if (ds === undefined) return;
  const [h, w, c] = model.spec.inputShape;
  const [dh, dw, dc] = ds.shape ?? [];
  if (dh !== h || dw !== w || dc !== c) {
    throw new TrainError(
      'bad-data',
      `${role} set '${ds.name}' has images [${ds.shape?.join(', ')}], model '${model.spec.name}' expects [${h}, ${w}, ${c}]`,
    );
  }
  if (ds.numClasses !== model.spec.numClasses) {
    throw new TrainError(
      'bad-data',
      `${role} set '${ds.name}' has ${ds.numClasses} classes, the model ${model.spec.numClasses}`,
    );
  }
  const n = datasetSize(ds);
  if (n === 0) throw new TrainError('bad-data', `${role} set '${ds.name}' is empty`);
  if (ds.images.length !== n * imageSize(ds.shape)) {
    throw new TrainError(
      'bad-data',
      `${role} set '${ds.name}': ${ds.images.length} pixel values for ${n} images`,
    );
  }
}

/** Fields that may differ between a checkpoint's config and the resumed run's config. */
const RESUMABLE_CHANGES = new Set(['epochs', 'progressEvery']);

/**
 * @throws TrainError `bad-checkpoint` when the configs differ in anything but epochs and
 * progressEvery (a different objective, optimizer, schedule, seed... would not continue the run)
 */
export function checkResumeConfig(cfg: TrainConfig, ckpt: Checkpoint): void {
  const a = cfg as unknown as Record<string, unknown>;
  const b = (ckpt.config ?? {}) as unknown as Record<string, unknown>;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const differing = [...keys].filter(
    (k) => !RESUMABLE_CHANGES.has(k) && JSON.stringify(a[k]) !== JSON.stringify(b[k]),
  );
  if (differing.length > 0) {
    throw new TrainError(
      'bad-checkpoint',
      `config differs from the checkpoint's in ${differing.join(', ')}; only epochs and progressEvery may change on resume`,
    );
  }
}

/** The first min(n, N) samples as tensors x `[n, H, W, C]`, y `[n]` (caller disposes). */
export function headBatch(ds: Dataset, n: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const m = Math.min(n, datasetSize(ds));
  const size = imageSize(ds.shape);
  return toTensors(
    { x: ds.images.subarray(0, m * size), y: ds.labels.subarray(0, m), size: m },
    ds.shape,
  );
}

/** Copies of every parameter and buffer (caller disposes). */
export function snapshotWeights(model: Model): Map<ParamName, tf.Tensor> {
  const out = new Map<ParamName, tf.Tensor>();
  for (const m of [model.params, model.buffers]) for (const [n, v] of m) out.set(n, tf.clone(v));
  return out;
}

/** Writes a snapshot back into the model's variables. */
export function restoreWeights(model: Model, snap: Map<ParamName, tf.Tensor>): void {
  for (const [n, t] of snap) (model.params.get(n) ?? model.buffers.get(n))?.assign(t);
}

export function disposeSnapshot(snap: Map<ParamName, tf.Tensor> | null | undefined): void {
  if (snap) for (const t of snap.values()) t.dispose();
}

/** Yields to the event loop at most every `intervalMs` (lets a worker receive pause/stop messages). */
export function makeYielder(intervalMs = 20): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last >= intervalMs) {
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      last = performance.now();
    }
  };
}

/** True for an abort raised by an attack's `signal` (AttackAbortedError is named 'AbortError'). */
export function isAbort(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}
