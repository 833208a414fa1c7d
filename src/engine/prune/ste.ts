/**
 * The straight-through top-k mask of learned pruning scores (HYDRA: Sehwag, Wang, Mittal and
 * Jana 2020, "HYDRA: Pruning Adversarially Robust Neural Networks", arXiv 2002.10509; the
 * estimator of Bengio, Léonard and Courville 2013, arXiv 1308.3432, as used for top-k subnetworks
 * by Ramanujan et al. 2020, arXiv 1911.13299).
 *
 * One score variable per prunable kernel: the kernel's shape (unstructured) or `[out]`
 * (structured). The mask of a step is
 *   forward:   m = 1[|s| among the top (1 − sparsity) fraction]   (exactly k ones, 0/1 float32)
 *   backward:  ∂L/∂s = sign(s) · ∂L/∂m                             (straight through |s|)
 * The hard 0/1 mask is computed outside the gradient tape by `masksFromScores` on the ScoreSet of
 * |s| (global or layer-wise, caps and exclusions of the MaskRule, deterministic ties), so the
 * count is exact even when scores tie, and the final ScoreSet reproduces the last mask exactly.
 * Inside the tape `steMasks` ties those hard masks to the score variables with `straightThrough`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Masks, Model, ParamName } from '../model/types';
import { prunableLayers } from '../model/params';
import { masksFromScores } from './masks';
import type { Granularity, LayerScores, MaskRule, PlainMasks, ScoreSet } from './types';

/** Kernel name → score variable (kernel shape, or `[out]` for structured pruning). */
export type ScoreVars = Map<ParamName, tf.Variable>;

/**
 * Straight-through estimator: the value of `hard`, the gradient of the identity with respect to
 * `x` (∂out/∂x = I; no gradient to `hard`). `x` and `hard` must have the same shape.
 */
export function straightThrough(x: tf.Tensor, hard: tf.Tensor): tf.Tensor {
  if (x.shape.length !== hard.shape.length || x.shape.some((d, i) => d !== hard.shape[i]))
    throw new RangeError(`straightThrough: shapes [${x.shape}] and [${hard.shape}] differ`);
  const op = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const b = inputs[1] as tf.Tensor;
    return {
      value: tf.clone(b), // same shape as x
      gradFunc: (dy: tf.Tensor) => [dy, tf.zerosLike(b)],
    };
  });
  return op(x, hard);
}

/**
 * The tape-side masks: kernel name → straightThrough(|s|, hard). Call inside
 * tf.variableGrads / tf.grad; only kernels with a hard mask get one.
 */
export function steMasks(scores: ScoreVars, hard: Masks): Masks {
  const out: Masks = new Map();
  for (const [name, m] of hard) {
    const s = scores.get(name);
    out.set(name, s ? straightThrough(tf.abs(s), m) : m);
  }
  return out;
}

/** Score variables (trainable) from plain initial values, one per entry of `init`. */
export function createScoreVars(
  init: Map<ParamName, { shape: number[]; data: Float32Array }>,
): ScoreVars {
  const out: ScoreVars = new Map();
  for (const [name, v] of init)
    out.set(
      name,
      tf.tidy(() => tf.variable(tf.tensor(v.data.slice(), v.shape, 'float32'), true)),
    );
  return out;
}

export function disposeScoreVars(scores: ScoreVars): void {
  for (const v of scores.values()) v.dispose();
  scores.clear();
}

/**
 * The ScoreSet of |s| (order 'prune-lowest': the smallest |s| is pruned first), read from the
 * variables, in the model's prunable-layer order.
 */
export async function readScoreSet(
  model: Model,
  scores: ScoreVars,
  granularity: Granularity,
  method: string,
  meta: ScoreSet['meta'] = {},
): Promise<ScoreSet> {
  const layers = new Map<string, LayerScores>();
  for (const l of prunableLayers(model.spec)) {
    const v = scores.get(l.kernelName);
    if (!v) continue;
    const data = new Float32Array(await v.data());
    for (let i = 0; i < data.length; i++) data[i] = Math.abs(data[i]);
    layers.set(l.kernelName, {
      kernelName: l.kernelName,
      layer: l.name,
      shape: [...v.shape],
      data,
    });
  }
  return { method, granularity, order: 'prune-lowest', layers, meta: { ...meta } };
}

/** The hard top-k masks of the current scores under `rule` (exact count, see masksFromScores). */
export async function hardMasks(
  model: Model,
  scores: ScoreVars,
  granularity: Granularity,
  rule: MaskRule,
): Promise<PlainMasks> {
  return masksFromScores(model.spec, await readScoreSet(model, scores, granularity, 'ste'), rule);
}
