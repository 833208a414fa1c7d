/**
 * A fixed evaluation set held on the device, and the batched primitives the sparsity evaluator
 * (sparsity-evaluator.ts) and the transfer benchmark (transfer.ts) build on: per-sample
 * correctness with one read, crafting an adversarial copy of the whole set once, and white-box
 * robustness of a list of samples under the protocol of robustness.ts.
 *
 * Seeds: an attack with a `seed` gets seed + 0x9e3779b9·b (mod 2^32) for its b-th batch, exactly
 * as robustness.ts, so `whiteBoxResisted` on the clean-correct samples reproduces
 * `evaluateRobustness` sample for sample. Every crafted batch is checked against its budget
 * (‖x' − x‖ ≤ ε + 1e-5 in the attack's norm, x' ∈ [0, 1]); the check is read once per call.
 *
 * Shapes: images `[N, H, W, C]` float32 in [0, 1]; labels `[N]` int32 in [0, K); logits `[B, K]`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { throwIfAborted } from '../attacks/common';
import { AttackBudgetError } from '../attacks/errors';
import type { AbortFlag } from '../attacks/options';
import { getAttack, type AttackEntry, type AttackOptions } from '../attacks/registry';
import type { ModelSpec } from '../model/spec';
import type { LogitsFn } from '../model/types';
import { dataView, EvalInputError } from './accuracy';
import type { AttackSpec } from './robustness';

/** A labeled set as plain arrays (what crosses the worker boundary). */
export interface PlainLabeledData {
  /** `[N, H, W, C]` row-major, pixels in [0, 1] */
  x: Float32Array;
  /** `[N]` class indices */
  y: Int32Array;
  shape: readonly [number, number, number];
}

/** A labeled evaluation set on the device; the owner calls `dispose()`. */
export interface DeviceSet {
  n: number;
  x: tf.Tensor4D; // [N, H, W, C]
  y: tf.Tensor1D; // [N] int32
  labels: Int32Array;
  dispose(): void;
}

/** An attack with validated options. */
export interface AttackPlan {
  entry: AttackEntry;
  options: AttackOptions;
}

/** Validate an attack spec (unknown name or bad options throw AttackOptionError). */
export function planAttack(a: AttackSpec): AttackPlan {
  const entry = getAttack(a.name);
  return { entry, options: entry.validate(a.options) };
}

/** Upload `data` after checking it fits `spec` (input shape, labels in [0, K), N ≥ 1). */
export async function deviceSet(data: PlainLabeledData, spec: ModelSpec): Promise<DeviceSet> {
  if (!(data?.x instanceof Float32Array))
    throw new EvalInputError('data.x must be a Float32Array of images [N, H, W, C]');
  const view = await dataView(data);
  if (view.n === 0) throw new EvalInputError('the evaluation set is empty');
  if (view.shape.join() !== spec.inputShape.join())
    throw new EvalInputError(
      `data shape [${view.shape}] does not match the model input [${spec.inputShape}]`,
    );
  const k = spec.numClasses;
  const bad = view.labels.findIndex((l) => !(l >= 0 && l < k));
  if (bad >= 0)
    throw new EvalInputError(`label ${view.labels[bad]} of sample ${bad} is outside [0, ${k})`);
  const x = tf.tensor4d(data.x, [view.n, ...view.shape]); // [N, H, W, C]
  const y = tf.tensor1d(view.labels, 'int32'); // [N]
  return { n: view.n, x, y, labels: view.labels, dispose: () => tf.dispose([x, y]) };
}

export function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new EvalInputError(`batchSize must be an integer ≥ 1, got ${batchSize}`);
}

/** `[b]` int32 flags, 1 where argmax f(x) = y, for one batch x `[b, H, W, C]`, y `[b]`. */
function correctFlags(f: LogitsFn, x: tf.Tensor4D, y: tf.Tensor1D): tf.Tensor {
  return tf.tidy(() => tf.cast(tf.equal(tf.argMax(f(x), 1), y), 'int32')); // [b]
}

/**
 * Concatenates per-batch flags and reads them once; the concatenation joins `parts`, which the
 * caller frees.
 */
async function readFlags(parts: tf.Tensor[]): Promise<Uint8Array> {
  const all = tf.concat(parts); // [N]
  parts.push(all);
  return Uint8Array.from(await all.data());
}

/** Per-sample correctness (1 = argmax f(x) = y) of images x `[N, ...]`, labels y `[N]`; one read. */
export async function correctPerSample(
  f: LogitsFn,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  batchSize: number,
  signal?: AbortFlag,
): Promise<Uint8Array> {
  const n = x.shape[0];
  const parts: tf.Tensor[] = [];
  try {
    for (let s = 0; s < n; s += batchSize) {
      throwIfAborted(signal, 'evaluation');
      const b = Math.min(batchSize, n - s);
      parts.push(
        tf.tidy(() =>
          correctFlags(f, tf.slice(x, [s, 0, 0, 0], [b, -1, -1, -1]), tf.slice(y, [s], [b])),
        ),
      );
    }
    return await readFlags(parts);
  } finally {
    tf.dispose(parts);
  }
}

/**
 * Images and labels cut once into consecutive batches (copies), for data swept again and again
 * (the sparsity slider): WASM's Slice copies, ~15% of a LeNet sweep when cut on every pass.
 */
export interface Batches {
  /** `[b, H, W, C]` each, in order */
  x: tf.Tensor4D[];
  /** `[b]` each */
  y: tf.Tensor1D[];
  dispose(): void;
}

/** x `[N, H, W, C]`, y `[N]` as batches of `batchSize` (the last one shorter); all or nothing. */
export function toBatches(x: tf.Tensor4D, y: tf.Tensor1D, batchSize: number): Batches {
  checkBatchSize(batchSize);
  const out: Batches = { x: [], y: [], dispose: () => tf.dispose([...out.x, ...out.y]) };
  const n = x.shape[0];
  try {
    for (let s = 0; s < n; s += batchSize) {
      const b = Math.min(batchSize, n - s);
      out.x.push(tf.slice(x, [s, 0, 0, 0], [b, -1, -1, -1]));
      out.y.push(tf.slice(y, [s], [b]));
    }
  } catch (e) {
    out.dispose(); // the batches cut so far
    throw e;
  }
  return out;
}

/** `correctPerSample` over batches already cut (the same flags, no Slice per pass); one read. */
export async function correctPerBatch(
  f: LogitsFn,
  batches: Batches,
  signal?: AbortFlag,
): Promise<Uint8Array> {
  const parts: tf.Tensor[] = [];
  try {
    for (let i = 0; i < batches.x.length; i++) {
      throwIfAborted(signal, 'evaluation');
      parts.push(correctFlags(f, batches.x[i], batches.y[i]));
    }
    return await readFlags(parts);
  } finally {
    tf.dispose(parts);
  }
}

/** `[3]`: max distance of x' from x in the attack's norm, min(x'), max(x'). */
function budgetStats(norm: 'linf' | 'l2', x: tf.Tensor4D, xAdv: tf.Tensor4D): tf.Tensor1D {
  return tf.tidy(() => {
    const d = tf.sub(xAdv, x); // [B, H, W, C]
    const dist =
      norm === 'linf' ? tf.max(tf.abs(d)) : tf.max(tf.sqrt(tf.sum(tf.square(d), [1, 2, 3])));
    return tf.stack([dist, tf.min(xAdv), tf.max(xAdv)]) as tf.Tensor1D;
  });
}

async function checkBudgets(p: AttackPlan, stats: tf.Tensor[]): Promise<void> {
  if (stats.length === 0) return;
  const all = tf.stack(stats); // [batches, 3]
  const v = await all.data().finally(() => all.dispose());
  const eps = p.options.eps as number;
  for (let i = 0; i < v.length; i += 3) {
    if (!(v[i] <= eps + 1e-5) || !(v[i + 1] >= 0) || !(v[i + 2] <= 1))
      throw new AttackBudgetError(
        `${p.entry.name} left its budget: ${p.entry.norm} distance ${v[i]} (ε = ${eps}), range [${v[i + 1]}, ${v[i + 2]}]`,
      );
  }
}

/**
 * Run attack `p` against `f` on the samples at `indices` (all N when omitted), in batches of
 * `batchSize` taken in that order, batch b seeded as in the file comment. Calls `onBatch(xAdv,
 * yb)` with each adversarial batch (disposed once the call, awaited, returns) and returns nothing
 * else. `paced`: each batch's budget is checked (read) before the next batch is queued, so no more
 * than one batch of work is ever queued on an asynchronous device (WebGPU) and a cancel takes
 * effect within one batch; otherwise the budgets are read once, at the end.
 */
async function attackBatches(
  f: LogitsFn,
  set: DeviceSet,
  p: AttackPlan,
  batchSize: number,
  signal: AbortFlag | undefined,
  indices: readonly number[] | undefined,
  onBatch: (xAdv: tf.Tensor4D, yb: tf.Tensor1D) => void | Promise<void>,
  paced = false,
): Promise<void> {
  const n = indices ? indices.length : set.n;
  const stats: tf.Tensor[] = [];
  try {
    for (let s = 0, b = 0; s < n; s += batchSize, b++) {
      throwIfAborted(signal, 'evaluation');
      const size = Math.min(batchSize, n - s);
      const [xb, yb] = tf.tidy(() => {
        if (!indices)
          return [tf.slice(set.x, [s, 0, 0, 0], [size, -1, -1, -1]), tf.slice(set.y, [s], [size])];
        const idx = tf.tensor1d(indices.slice(s, s + size), 'int32');
        return [tf.gather(set.x, idx), tf.gather(set.y, idx)];
      }) as [tf.Tensor4D, tf.Tensor1D];
      const opts: Record<string, unknown> = { ...p.options, signal };
      const seed = p.options.seed;
      if (typeof seed === 'number') opts.seed = (seed + 0x9e3779b9 * b) % 2 ** 32;
      let xAdv: tf.Tensor4D | undefined;
      try {
        xAdv = await p.entry.run(f, xb, yb, opts); // [size, H, W, C]
        if (xAdv.shape.join() !== xb.shape.join())
          throw new AttackBudgetError(`${p.entry.name} returned [${xAdv.shape}] for [${xb.shape}]`);
        stats.push(budgetStats(p.entry.norm, xb, xAdv));
        if (paced) {
          const batchStats = stats.splice(0);
          await checkBudgets(p, batchStats).finally(() => tf.dispose(batchStats));
        }
        await onBatch(xAdv, yb);
      } finally {
        tf.dispose([xb, yb]);
        xAdv?.dispose();
      }
    }
    await checkBudgets(p, stats);
  } finally {
    tf.dispose(stats);
  }
}

/**
 * An adversarial copy `[N, H, W, C]` of the whole set, crafted against `f` (e.g. the base model
 * of a transfer evaluation). The caller owns the result.
 */
export async function craftAdversarialSet(
  f: LogitsFn,
  set: DeviceSet,
  p: AttackPlan,
  batchSize: number,
  signal?: AbortFlag,
): Promise<tf.Tensor4D> {
  const parts: tf.Tensor4D[] = [];
  try {
    await attackBatches(f, set, p, batchSize, signal, undefined, (xAdv) => {
      parts.push(tf.clone(xAdv));
    });
    return tf.concat(parts); // [N, H, W, C]
  } finally {
    tf.dispose(parts);
  }
}

/**
 * White-box robustness (robustness.ts protocol) of the samples at `targets` (normally the
 * clean-correct ones): 1 where argmax f(x') still equals the label, aligned with `targets`.
 * One read per call; with `onBatch`, one read per batch instead (paced, see attackBatches), and
 * `onBatch(done, resisted)` after each batch but the last: the first `done` targets are final and
 * `resisted` of them resisted. The results do not depend on `onBatch`.
 */
export async function whiteBoxResisted(
  f: LogitsFn,
  set: DeviceSet,
  p: AttackPlan,
  targets: readonly number[],
  batchSize: number,
  signal?: AbortFlag,
  onBatch?: (done: number, resisted: number) => void,
): Promise<Uint8Array> {
  if (targets.length === 0) return new Uint8Array(0);
  const parts: tf.Tensor[] = [];
  const flagsOf = (xAdv: tf.Tensor4D, yb: tf.Tensor1D) =>
    tf.tidy(() => tf.cast(tf.equal(tf.argMax(f(xAdv), 1), yb), 'int32')); // [B]
  try {
    if (onBatch) {
      const out = new Uint8Array(targets.length);
      let done = 0;
      let resisted = 0;
      await attackBatches(
        f,
        set,
        p,
        batchSize,
        signal,
        targets,
        async (xAdv, yb) => {
          const ok = flagsOf(xAdv, yb);
          const v = await ok.data().finally(() => ok.dispose());
          for (let i = 0; i < v.length; i++) {
            out[done + i] = v[i] ? 1 : 0;
            resisted += out[done + i];
          }
          done += v.length;
          if (done < targets.length) onBatch(done, resisted);
        },
        true,
      );
      return out;
    }
    await attackBatches(f, set, p, batchSize, signal, targets, (xAdv, yb) => {
      parts.push(flagsOf(xAdv, yb));
    });
    const all = tf.concat(parts); // [targets]
    parts.push(all);
    return Uint8Array.from(await all.data());
  } finally {
    tf.dispose(parts);
  }
}

/** Number of ones in a 0/1 array. */
export const countOnes = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
};
