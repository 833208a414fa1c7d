/**
 * The opt-in faster WASM kernels (`registerWasmTrainingKernels({ replaceSlow: true })`):
 * Conv2DBackpropInput as a full convolution and transposed BatchMatMul as transpose + matmul,
 * against the CPU backend over a grid (including the cases that fall back to the originals), plus
 * idempotent registration and leak checks. Replacing kernels is global, so it lives in this file.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '@/engine/backend';
import { memoryCounts, normals, onBackend, relErr, size, take, type Pad } from './helpers';

interface Case {
  x: [number, number, number, number];
  k: number;
  cout: number;
  stride: number;
  pad: Pad;
  nchw?: boolean;
  round?: 'floor' | 'ceil';
}

const GRID: Case[] = [];
for (const stride of [1, 2])
  for (const pad of ['same', 'valid'] as const)
    for (const k of [1, 3, 5])
      for (const [cin, cout] of [
        [1, 8],
        [3, 2],
      ])
        for (const [b, h, w] of [
          [1, 7, 9],
          [3, 8, 6],
        ])
          GRID.push({ x: [b, h, w, cin], k, cout, stride, pad });
GRID.push(
  { x: [2, 7, 7, 2], k: 1, cout: 3, stride: 2, pad: 'valid' }, // trailing inserted zeros cropped
  { x: [2, 7, 9, 3], k: 3, cout: 4, stride: 2, pad: 2, round: 'ceil' },
  {
    x: [2, 7, 9, 3],
    k: 3,
    cout: 4,
    stride: 1,
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  {
    x: [1, 6, 6, 2],
    k: 3,
    cout: 2,
    stride: 2,
    pad: [
      [0, 0],
      [0, 4],
      [3, 0],
      [0, 0],
    ],
  }, // falls back
  { x: [2, 3, 7, 9], k: 3, cout: 4, stride: 2, pad: 'same', nchw: true }, // falls back
);

async function inputGrads(cases: Case[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const [i, c] of cases.entries()) {
    const cin = c.nchw ? c.x[1] : c.x[3];
    const fShape: [number, number, number, number] = [c.k, c.k, cin, c.cout];
    const fmt = c.nchw ? 'channelsFirst' : 'channelsLast';
    const dyShape = tf.backend_util.computeConv2DInfo(
      c.x,
      fShape,
      c.stride,
      1,
      c.pad,
      c.round,
      false,
      fmt,
    ).outShape;
    const dy = tf.tensor(normals(size(dyShape), 2 * i + 1), dyShape);
    const filter = tf.tensor(normals(size(fShape), 2 * i + 2), fShape);
    const attrs = {
      strides: c.stride,
      pad: c.pad,
      dataFormat: c.nchw ? 'NCHW' : 'NHWC',
      dimRoundingMode: c.round,
      inputShape: c.x,
    };
    const dx = tf
      .engine()
      .runKernel('Conv2DBackpropInput', { dy, filter }, attrs as never) as tf.Tensor;
    expect(dx.shape).toEqual(c.x);
    out.push(await take(dx));
    tf.dispose([dy, filter]);
  }
  return out;
}

const MATMULS: [number[], number[], boolean, boolean][] = [
  [[5, 7], [7, 3], false, false],
  [[7, 5], [7, 3], true, false],
  [[5, 7], [3, 7], false, true],
  [[7, 5], [3, 7], true, true],
  [[2, 7, 5], [2, 3, 7], true, true],
  [[2, 5, 7], [1, 3, 7], false, true],
];

async function matmuls(): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const [i, [sa, sb, ta, tb]] of MATMULS.entries()) {
    const a = tf.tensor(normals(size(sa), 40 + i), sa);
    const b = tf.tensor(normals(size(sb), 60 + i), sb);
    out.push(await take(tf.matMul(a, b, ta, tb)));
    tf.dispose([a, b]);
  }
  return out;
}

describe('replaceSlow wasm kernels', () => {
  beforeAll(() => {
    const first = registerWasmTrainingKernels({ replaceSlow: true });
    expect(first.replaced).toEqual([
      'BatchMatMul',
      'Conv2DBackpropInput',
      'Identity',
      'MaxPoolGrad',
    ]);
  });

  it('registration is idempotent', () => {
    const kernels = tf.getKernelsForBackend('wasm').length;
    const again = registerWasmTrainingKernels({ replaceSlow: true });
    const without = registerWasmTrainingKernels();
    expect(again).toEqual(without);
    expect(again.replaced).toEqual([
      'BatchMatMul',
      'Conv2DBackpropInput',
      'Identity',
      'MaxPoolGrad',
    ]);
    expect(tf.getKernelsForBackend('wasm').length).toBe(kernels);
  });

  it('Conv2DBackpropInput matches cpu on the grid within 1e-4 relative', async () => {
    const wasm = await inputGrads(GRID);
    const cpu = await onBackend('cpu', () => inputGrads(GRID));
    const bad = GRID.map((c, i) => ({ c, err: relErr(wasm[i], cpu[i]) })).filter(
      ({ err }) => !(err <= 1e-4),
    );
    expect(bad).toEqual([]);
  });

  it('transposed BatchMatMul matches cpu', async () => {
    const wasm = await matmuls();
    const cpu = await onBackend('cpu', () => matmuls());
    for (let i = 0; i < MATMULS.length; i++)
      expect(relErr(wasm[i], cpu[i])).toBeLessThanOrEqual(1e-5);
  });

  it('Identity (tf.clone) shares the data: no new buffer, values kept until both are disposed', async () => {
    const x = tf.tensor2d([1, -2, 3, 4.5], [2, 2]);
    const before = memoryCounts();
    const y = tf.clone(x);
    // a second tensor on the same buffer
    expect(memoryCounts()).toEqual({ tensors: before.tensors + 1, buffers: before.buffers });
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, -2, 3, 4.5]);
    expect(y.shape).toEqual([2, 2]);
    y.dispose();
    expect(memoryCounts()).toEqual({ tensors: before.tensors - 1, buffers: before.buffers - 1 });
    // the gradient tape clones what it saves: gradients through it are unchanged
    const w = tf.tensor1d([0.5, -1, 2]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), v)))(w); // d/dv relu(v)·v
    expect(Array.from(await g.data())).toEqual([1, 0, 4]);
    tf.dispose([w, g]);
  });

  it('leak no tensors or buffers over repeated calls', async () => {
    const few = GRID.slice(-5);
    await inputGrads(few);
    await matmuls();
    const before = memoryCounts();
    for (let i = 0; i < 3; i++) {
      await inputGrads(few);
      await matmuls();
    }
    expect(memoryCounts()).toEqual(before);
  });
});
