/**
 * Shared helpers for the backend tests: seeded data, running a computation on another backend
 * (restoring the previous one), relative error, and a leak probe that counts both engine tensors
 * and the backend's data buffers (a kernel that forgets an intermediate only shows in the latter).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@/engine/backend';
import { simdKernels, simdKernelStatus, type SimdKernels } from '@/engine/backend/simd/runtime';
import { Rng } from '@/engine/rng';

/** A padding as tfjs's conv and pooling ops take it (explicit: NHWC pairs). */
export type Pad =
  | 'same'
  | 'valid'
  | number
  | [[number, number], [number, number], [number, number], [number, number]];

/** `n` standard-normal float32 values from seed `seed`. */
export function normals(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** Number of elements of `shape`. */
export function size(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** Run `f` with `name` as the live backend, then switch back to the previous one. */
export async function onBackend<T>(name: string, f: () => Promise<T>): Promise<T> {
  const previous = tf.getBackend();
  await tf.setBackend(name);
  try {
    return await f();
  } finally {
    await tf.setBackend(previous);
  }
}

/** max |a − b| / max |b|: the error of `a` relative to the scale of the reference `b`. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? err : err / scale;
}

/** Live engine tensors and backend data buffers. */
export function memoryCounts(): { tensors: number; buffers: number } {
  const m = tf.memory();
  return { tensors: m.numTensors, buffers: m.numDataBuffers };
}

/** Read a tensor (float data) and dispose it. */
export async function take(t: tf.Tensor): Promise<Float32Array> {
  const v = Float32Array.from(await t.data());
  t.dispose();
  return v;
}

/**
 * The cases whose output is off its reference by more than `tol` relative (relErr), each as
 * "case JSON: error"; [] when all agree. `ours[i]` and `ref[i]` are case i's outputs.
 */
export function caseMismatches(
  cases: readonly object[],
  ours: Float32Array[],
  ref: Float32Array[],
  tol: number,
): string[] {
  const bad: string[] = [];
  cases.forEach((c, i) => {
    const e = relErr(ours[i], ref[i]);
    if (!(e <= tol)) bad.push(`${JSON.stringify(c)}: ${e}`);
  });
  return bad;
}

/** Start the WASM backend and return our kernels attached to it; throws with the reason if not. */
export async function attachedSimdKernels(): Promise<SimdKernels> {
  await initBackend({ prefer: 'wasm' });
  const live = simdKernels(tf.backend());
  if (live === undefined) throw new Error(`not attached: ${simdKernelStatus().note}`);
  return live;
}
