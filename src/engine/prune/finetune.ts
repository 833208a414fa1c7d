/**
 * Fine-tuning a pruned model (step 3 of the prune → fine-tune framework: Han, Pool, Tran and
 * Dally 2015, arXiv 1506.02626; adversarially, as in HYDRA, Sehwag et al. 2020, arXiv 2002.10509,
 * and the anomaly-degree thesis): `trainModel` (train/loop.ts) with the masks held applied, then a
 * safety net that reads every masked parameter back and throws if a pruned entry is not exactly 0.
 *
 * Masked parameters: an unstructured mask (kernel shape) covers its kernel; a structured mask
 * `[out]` covers the kernel's output units and that layer's bias and BN gamma/beta
 * (train/masking.ts `expandMasks`). Masks are plain data (0 = removed); the tensors made here are
 * disposed here.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data/dataset';
import type { Masks, Model, ParamName } from '../model/types';
import type { TrainConfig, TrainConfigInput } from '../train/config';
import { expandMasks } from '../train/masking';
import { trainModel } from '../train/loop';
import type { TrainHooks, TrainResult } from '../train/types';
import { disposeMasks, toTensorMasks } from './masks';
import type { PlainMasks } from './types';

/** A pruned entry of a parameter that is not exactly 0 after a masked operation. */
export class MaskViolationError extends Error {
  override readonly name = 'MaskViolationError';
  /** the parameter, e.g. 'conv1/kernel' */
  readonly param: ParamName;
  /** how many pruned entries are non-zero */
  readonly count: number;
  constructor(param: ParamName, count: number, sum: number) {
    super(`${count} pruned entries of '${param}' are not exactly 0 (their sum: ${sum})`);
    this.param = param;
    this.count = count;
  }
}

/**
 * Multiplies every masked parameter by its mask in place, so pruned weights (and, structured,
 * their bias and BN gamma/beta) are exactly 0. Throws TrainError `bad-mask` for a mask that does
 * not fit the model.
 */
export function applyMasksToWeights(model: Model, masks: Masks): void {
  const pm = expandMasks(model, masks);
  tf.tidy(() => {
    for (const [name, m] of pm) {
      const p = model.params.get(name);
      if (p) p.assign(tf.mul(p, m)); // same shape as p ([out] broadcasts over the last axis)
    }
  });
}

/**
 * Reads every masked parameter and throws MaskViolationError for the first one whose pruned
 * entries are not all exactly 0 (`-0` counts as 0, NaN does not).
 */
export async function assertMaskedZero(model: Model, masks: Masks): Promise<void> {
  for (const [name, m] of expandMasks(model, masks)) {
    const p = model.params.get(name);
    if (!p) continue;
    const bad = tf.tidy(() => {
      const pruned = tf.equal(tf.broadcastTo(m, p.shape), 0); // bool, same shape as p
      const off = tf.where(pruned, p, tf.zerosLike(p)); // pruned entries' values
      const nz = tf.notEqual(off, 0); // NaN counts as non-zero
      const example = tf.sum(tf.where(nz, off, tf.zerosLike(off))); // Σ of the offenders
      return tf.stack([tf.sum(tf.cast(nz, 'float32')), example]); // [2]
    });
    const [count, example] = await bad.data();
    bad.dispose();
    if (count > 0) throw new MaskViolationError(name, count, example);
  }
}

/**
 * Trains `model` in place with `plainMasks` kept applied (pruned weights zeroed first, then held
 * at exactly 0 by the training loop), then verifies them.
 * @param data training set and optional validation set (they must fit the model)
 * @param config a training config (train/config.ts; e.g. objective 'pgd-at', a few epochs)
 * @returns the training result (status, per-epoch metrics)
 * @throws TrainError for a bad config, data or mask; MaskViolationError if a pruned entry moved
 */
export async function fineTuneMasked(
  model: Model,
  plainMasks: PlainMasks,
  data: { train: Dataset; val?: Dataset },
  config: TrainConfigInput | TrainConfig,
  hooks: TrainHooks = {},
): Promise<TrainResult> {
  const masks = toTensorMasks(plainMasks);
  try {
    applyMasksToWeights(model, masks);
    const r = await trainModel(model, { train: data.train, val: data.val, masks }, config, hooks);
    await assertMaskedZero(model, masks);
    return r;
  } finally {
    disposeMasks(masks);
  }
}
