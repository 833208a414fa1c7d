/**
 * The other kernels tfjs-backend-wasm 4.22 lacks and we add: depthwise-convolution gradients
 * (filter and input) and UnsortedSegmentSum (the gradient of gather), each against the CPU
 * backend, plus their leak checks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { wasmTrainingKernels } from '@/engine/backend';
import { memoryCounts, normals, onBackend, relErr, size, take } from './helpers';

interface DwCase {
  x: [number, number, number, number];
  k: number;
  m: number;
  stride: number;
  pad: 'same' | 'valid';
}
const DW: DwCase[] = [];
for (const stride of [1, 2])
  for (const pad of ['same', 'valid'] as const)
    for (const k of [1, 3])
      for (const [c, m] of [
        [1, 2],
        [3, 1],
        [3, 2],
      ])
        DW.push({ x: [DW.length % 2 === 0 ? 1 : 2, 7, 9, c], k, m, stride, pad });

/** [dx, dW] of Σ depthwiseConv2d(x, W) ⊙ w for every case, on the live backend. */
async function depthwiseGrads(cases: DwCase[]): Promise<Float32Array[][]> {
  const out: Float32Array[][] = [];
  for (const [i, c] of cases.entries()) {
    const fShape: [number, number, number, number] = [c.k, c.k, c.x[3], c.m];
    const x = tf.tensor4d(normals(size(c.x), 3 * i + 1), c.x);
    const f = tf.tensor4d(normals(size(fShape), 3 * i + 2), fShape);
    const yShape = tf.backend_util.computeConv2DInfo(
      c.x,
      fShape,
      c.stride,
      1,
      c.pad,
      undefined,
      true,
    ).outShape;
    const w = tf.tensor(normals(size(yShape), 3 * i + 3), yShape);
    const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), w)),
    )([x, f]);
    out.push([await take(dx), await take(df)]);
    tf.dispose([x, f, w]);
  }
  return out;
}

async function segmentSums(): Promise<{ values: Float32Array[]; intDtype: string }> {
  const ids = tf.tensor1d([2, 0, 2, -1, 1, 5, 0], 'int32'); // −1 and 5 lie outside [0, 4)
  const xf = tf.tensor(normals(7 * 2 * 3, 11), [7, 2, 3]);
  const xi = tf.tensor([3, -4, 5, 6, 7, 8, 9], [7], 'int32');
  const sf = tf.unsortedSegmentSum(xf, ids, 4);
  const si = tf.unsortedSegmentSum(xi, ids, 4);
  expect(sf.shape).toEqual([4, 2, 3]);
  const intDtype = si.dtype;
  const values = [await take(sf), await take(si)];
  tf.dispose([ids, xf, xi]);
  return { values, intDtype };
}

/** Gradient of Σ gather(p, idx, axis) ⊙ w with respect to p, axes 0 and 1, repeated indices. */
async function gatherGrads(): Promise<Float32Array[]> {
  const p = tf.tensor(normals(5 * 4, 21), [5, 4]);
  const idx = tf.tensor1d([3, 1, 3, 0], 'int32');
  const out: Float32Array[] = [];
  for (const axis of [0, 1]) {
    const wShape = axis === 0 ? [4, 4] : [5, 4];
    const w = tf.tensor(normals(size(wShape), 22 + axis), wShape);
    const g = tf.grad((q: tf.Tensor) => tf.sum(tf.mul(tf.gather(q, idx, axis), w)))(p);
    out.push(await take(g));
    w.dispose();
  }
  tf.dispose([p, idx]);
  return out;
}

describe('missing wasm kernels', () => {
  it('are registered by initBackend (tests/setup.ts)', () => {
    expect(wasmTrainingKernels().added).toEqual([
      'AdvPruneAllFinite',
      'AdvPruneReluGrad',
      'AdvPruneSgdUpdate',
      'AdvPruneSoftmaxCE',
      'AdvPruneSoftmaxCEGrad',
      'Conv2DBackpropFilter',
      'DepthwiseConv2dNativeBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
      'UnsortedSegmentSum',
    ]);
  });

  it('depthwise conv gradients (input and filter) match cpu within 1e-4 relative', async () => {
    const wasm = await depthwiseGrads(DW);
    const cpu = await onBackend('cpu', () => depthwiseGrads(DW));
    const errs = DW.map((c, i) => ({
      c,
      dx: relErr(wasm[i][0], cpu[i][0]),
      dW: relErr(wasm[i][1], cpu[i][1]),
    }));
    expect(errs.filter((e) => !(e.dx <= 1e-4 && e.dW <= 1e-4))).toEqual([]);
  });

  it('unsortedSegmentSum (float and int, ids out of range dropped) matches cpu', async () => {
    const wasm = await segmentSums();
    const cpu = await onBackend('cpu', () => segmentSums());
    expect(relErr(wasm.values[0], cpu.values[0])).toBeLessThanOrEqual(1e-6);
    expect(Array.from(wasm.values[1])).toEqual([-4 + 9, 7, 3 + 5, 0]);
    expect(Array.from(wasm.values[1])).toEqual(Array.from(cpu.values[1]));
    // TensorFlow keeps x's dtype (the cpu backend returns float32 here)
    expect(wasm.intDtype).toBe('int32');
  });

  it('the gradient of gather (axes 0 and 1) matches cpu', async () => {
    const wasm = await gatherGrads();
    const cpu = await onBackend('cpu', () => gatherGrads());
    for (let i = 0; i < 2; i++) expect(relErr(wasm[i], cpu[i])).toBeLessThanOrEqual(1e-6);
  });

  it('leak no tensors or buffers over repeated calls', async () => {
    const one = DW.slice(-1);
    await depthwiseGrads(one);
    await segmentSums();
    const before = memoryCounts();
    for (let i = 0; i < 3; i++) {
      await depthwiseGrads(one);
      await segmentSums();
      await gatherGrads();
    }
    await gatherGrads();
    expect(memoryCounts()).toEqual(before);
  });
});
