/**
 * Building blocks shared by the attacks: input checks, cancellation and cooperative yielding,
 * input gradients of a loss, ε-ball projections (L∞ and L2) and per-sample selection.
 *
 * Shapes: x, x' `[B, H, W, C]` float32 with pixels in [0, 1]; y `[B]` int32; logits `[B, K]`.
 * Every function here returns new tensors the caller owns and never disposes its inputs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LogitsFn } from '../model/types';
import { AttackAbortedError, AttackInputError } from './errors';
import { attackLoss, type LossName } from './losses';
import type { AbortFlag } from './options';

/** Check ranks, dtypes and batch sizes of an attack's inputs; throws AttackInputError. */
export function checkAttackInputs(attack: string, x: tf.Tensor, y: tf.Tensor): void {
  if (!(x instanceof tf.Tensor) || x.rank !== 4) {
    throw new AttackInputError(`${attack}: x must be a rank-4 tensor [B, H, W, C]`);
  }
  if (x.dtype !== 'float32')
    throw new AttackInputError(`${attack}: x must be float32, got ${x.dtype}`);
  if (!(y instanceof tf.Tensor) || y.rank !== 1) {
    throw new AttackInputError(`${attack}: y must be a rank-1 tensor [B] of class indices`);
  }
  if (y.dtype !== 'int32') throw new AttackInputError(`${attack}: y must be int32, got ${y.dtype}`);
  if (y.shape[0] !== x.shape[0]) {
    throw new AttackInputError(`${attack}: x has ${x.shape[0]} samples but y has ${y.shape[0]}`);
  }
}

/**
 * Check that f has at least `min` classes, with one forward pass on the first sample. Run this
 * before differentiating a loss that needs them: an error thrown inside tf.grad leaks the
 * tensors tfjs saved for the backward pass (tfjs-core 4.22 does not clean its tape on throw).
 */
export function requireClasses(attack: string, f: LogitsFn, x: tf.Tensor4D, min: number): void {
  if (x.shape[0] === 0) return;
  const k = tf.tidy(() => f(tf.slice(x, [0, 0, 0, 0], [1, -1, -1, -1])).shape[1]);
  if (k < min)
    throw new AttackInputError(`${attack}: needs a model with ≥ ${min} classes, got ${k}`);
}

/** Throw AttackAbortedError when the caller has set `signal.aborted`. */
export function throwIfAborted(signal: AbortFlag | undefined, what = 'attack'): void {
  if (signal?.aborted) throw new AttackAbortedError(what);
}

/**
 * A cooperative scheduler for long loops: `await tick()` checks the abort flag and, at most every
 * `intervalMs` milliseconds, yields to the event loop (so a worker can receive a cancel message)
 * without paying a timer per iteration.
 */
export function makeTicker(
  signal: AbortFlag | undefined,
  what = 'attack',
  intervalMs = 25,
): () => Promise<void> {
  let last = performance.now();
  return async () => {
    throwIfAborted(signal, what);
    const now = performance.now();
    if (now - last >= intervalMs) {
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      last = performance.now();
      throwIfAborted(signal, what);
    }
  };
}

/** ∇_x Σ_b loss_b(f(x), y): `[B, H, W, C]`. Use inside tf.tidy (synchronous). */
export function inputGradient(
  f: LogitsFn,
  loss: LossName,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  kappa = 0,
): tf.Tensor4D {
  const g = tf.grad((xi) => tf.sum(attackLoss(loss, f(xi as tf.Tensor4D), y, kappa)));
  return g(x) as tf.Tensor4D; // [B, H, W, C]
}

/**
 * Loss, logits and input gradient in one forward/backward pass. The three tensors are owned by the
 * caller; call this outside tf.tidy and dispose all three.
 */
export function lossLogitsGrad(
  f: LogitsFn,
  loss: LossName,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  kappa = 0,
): { loss: tf.Tensor1D; logits: tf.Tensor2D; grad: tf.Tensor4D } {
  let kept: { loss: tf.Tensor1D; logits: tf.Tensor2D } | undefined;
  const grad = tf.grad((xi) => {
    const z = f(xi as tf.Tensor4D); // [B, K]
    const l = attackLoss(loss, z, y, kappa); // [B]
    kept = { loss: tf.keep(l), logits: tf.keep(z) };
    return tf.sum(l);
  })(x) as tf.Tensor4D; // [B, H, W, C]
  if (kept === undefined) throw new Error('lossLogitsGrad: the loss was not evaluated');
  return { ...kept, grad };
}

/** Per-sample L2 norm over all but the first axis, shaped `[B, 1, 1, 1]`. */
export function l2Norm4(t: tf.Tensor4D): tf.Tensor4D {
  return tf.sqrt(tf.sum(tf.square(t), [1, 2, 3], true)) as tf.Tensor4D; // [B, 1, 1, 1]
}

/** Project x' onto {‖x' − x‖∞ ≤ ε} ∩ [0, 1]^d: clip(x + clip(x' − x, −ε, ε), 0, 1). */
export function projectLinf(xAdv: tf.Tensor, x: tf.Tensor4D, eps: number): tf.Tensor4D {
  return tf.tidy(() => {
    const delta = tf.clipByValue(tf.sub<tf.Tensor4D>(xAdv, x), -eps, eps); // [B, H, W, C]
    return tf.clipByValue(tf.add<tf.Tensor4D>(x, delta), 0, 1);
  });
}

/**
 * Project x' onto the L2 ball ‖x' − x‖₂ ≤ ε (δ ← δ·min(1, ε/‖δ‖₂)), then clamp to [0, 1]. The
 * clamp only shrinks |δ_i| (x is in [0, 1]), so the result stays inside the ball.
 */
export function projectL2(xAdv: tf.Tensor, x: tf.Tensor4D, eps: number): tf.Tensor4D {
  return tf.tidy(() => {
    const delta = tf.sub<tf.Tensor4D>(xAdv, x); // [B, H, W, C]
    const scale = tf.minimum(1, tf.div(eps, tf.add(l2Norm4(delta), 1e-12))); // [B, 1, 1, 1]
    return tf.clipByValue(tf.add<tf.Tensor4D>(x, tf.mul(delta, scale)), 0, 1);
  });
}

/** Per sample: a where `cond` `[B]` (bool) is true, else b. a, b `[B, ...]`. */
export function selectRows<T extends tf.Tensor>(cond: tf.Tensor1D, a: T, b: T): T {
  return tf.tidy(() => {
    const shape = [cond.shape[0], ...a.shape.slice(1).map(() => 1)];
    return tf.where(tf.reshape(cond, shape), a, b) as T;
  });
}

/** Dispose whatever tensors are given, skipping undefined ones. */
export function disposeAll(...ts: (tf.Tensor | undefined)[]): void {
  for (const t of ts) if (t !== undefined && !t.isDisposed) t.dispose();
}

/** Whether every entry of a bool tensor is true (reads one value). */
export async function allTrue(t: tf.Tensor): Promise<boolean> {
  const a = tf.all(t);
  const v = (await a.data())[0];
  a.dispose();
  return v !== 0;
}

/** Misclassified samples: argmax_k z ≠ y, bool `[B]`. */
export function misclassified(z: tf.Tensor2D, y: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => tf.notEqual(tf.argMax(z, 1), y) as tf.Tensor1D);
}

/** A restart's outcome per sample: its x' `[B, H, W, C]`, whether it fools `[B]`, its loss `[B]`. */
export type Restart = { x: tf.Tensor4D; fooled: tf.Tensor1D; loss: tf.Tensor1D };

/**
 * Score a restart's final x' (taking ownership of it) with loss `lossOf`, and fold it into the
 * best so far with keepBetter, disposing whatever is replaced. Returns the new best.
 */
export function foldRestart(
  f: LogitsFn,
  y: tf.Tensor1D,
  best: Restart | undefined,
  xAdv: tf.Tensor4D,
  lossOf: (z: tf.Tensor2D) => tf.Tensor1D,
): Restart {
  const cand = tf.tidy(() => {
    const z = f(xAdv); // [B, K]
    return { x: xAdv, fooled: misclassified(z, y), loss: lossOf(z) };
  });
  if (best === undefined) return cand;
  const merged = keepBetter(best, cand);
  disposeAll(best.x, best.fooled, best.loss, cand.x, cand.fooled, cand.loss);
  return merged;
}

/**
 * Merge a restart into the best-so-far (per sample): take the new point when it fools and the old
 * did not, or when both agree on fooling and its loss is higher. Returns new tensors; disposes
 * nothing.
 */
export function keepBetter(
  best: { x: tf.Tensor4D; fooled: tf.Tensor1D; loss: tf.Tensor1D },
  cand: { x: tf.Tensor4D; fooled: tf.Tensor1D; loss: tf.Tensor1D },
): { x: tf.Tensor4D; fooled: tf.Tensor1D; loss: tf.Tensor1D } {
  return tf.tidy(() => {
    const newlyFooled = tf.logicalAnd(cand.fooled, tf.logicalNot(best.fooled)); // [B]
    const sameStatus = tf.equal(cand.fooled, best.fooled); // [B]
    const take = tf.logicalOr(
      newlyFooled,
      tf.logicalAnd(sameStatus, tf.greater(cand.loss, best.loss)),
    );
    return {
      x: selectRows(take as tf.Tensor1D, cand.x, best.x),
      fooled: tf.logicalOr(best.fooled, cand.fooled) as tf.Tensor1D,
      loss: selectRows(take as tf.Tensor1D, cand.loss, best.loss),
    };
  });
}
