/**
 * Conv2DBackpropFilter on WASM (our kernel, src/engine/backend/kernels/conv2d-backprop-filter.ts)
 * against the CPU backend's own kernel, over a grid of strides, paddings, kernel sizes, channel
 * counts, odd spatial sizes and batch sizes; plus NCHW, numeric and explicit padding, bad input,
 * and a leak check. The forward Conv2D the kernel is built on is checked on the same grid.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { memoryCounts, normals, onBackend, relErr, size, take, type Pad } from './helpers';

interface Case {
  x: [number, number, number, number];
  k: number;
  cout: number;
  stride: number;
  pad: Pad;
  nchw?: boolean;
  round?: 'floor' | 'ceil' | 'round';
}

const SIZES: [number, number][] = [
  [7, 9],
  [8, 6],
  [5, 5],
];
const GRID: Case[] = [];
for (const stride of [1, 2])
  for (const pad of ['same', 'valid'] as const)
    for (const k of [1, 3, 5])
      for (const cin of [1, 3])
        for (const cout of [2, 8])
          for (const batch of [1, 3]) {
            const [h, w] = SIZES[GRID.length % SIZES.length];
            GRID.push({ x: [batch, h, w, cin], k, cout, stride, pad });
          }

const EXTRA: Case[] = [
  { x: [2, 7, 9, 3], k: 3, cout: 4, stride: 1, pad: 1 },
  { x: [2, 7, 9, 3], k: 3, cout: 4, stride: 2, pad: 2, round: 'ceil' },
  { x: [2, 8, 7, 2], k: 3, cout: 4, stride: 2, pad: 1, round: 'floor' },
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
  },
  { x: [2, 3, 7, 9], k: 3, cout: 4, stride: 2, pad: 'same', nchw: true },
  {
    x: [2, 3, 7, 9],
    k: 3,
    cout: 4,
    stride: 1,
    pad: [
      [0, 0],
      [0, 0],
      [1, 0],
      [2, 1],
    ],
    nchw: true,
  },
];

function geometry(c: Case) {
  const cin = c.nchw ? c.x[1] : c.x[3];
  const filterShape: [number, number, number, number] = [c.k, c.k, cin, c.cout];
  const info = tf.backend_util.computeConv2DInfo(
    c.x,
    filterShape,
    c.stride,
    1,
    c.pad,
    c.round,
    false,
    c.nchw ? 'channelsFirst' : 'channelsLast',
  );
  return { filterShape, dyShape: info.outShape };
}

/** dW for every case on the live backend, from seeded x and dy. */
async function filterGrads(cases: Case[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const [i, c] of cases.entries()) {
    const { filterShape, dyShape } = geometry(c);
    const x = tf.tensor(normals(size(c.x), 2 * i + 1), c.x);
    const dy = tf.tensor(normals(size(dyShape), 2 * i + 2), dyShape);
    const attrs = {
      strides: c.stride,
      pad: c.pad,
      dataFormat: c.nchw ? 'NCHW' : 'NHWC',
      dimRoundingMode: c.round,
      filterShape,
    };
    const dw = tf
      .engine()
      .runKernel('Conv2DBackpropFilter', { x, dy }, attrs as never) as tf.Tensor;
    expect(dw.shape).toEqual(filterShape);
    out.push(await take(dw));
    tf.dispose([x, dy]);
  }
  return out;
}

/** Forward conv2d outputs (NHWC grid only). */
async function forwards(cases: Case[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const [i, c] of cases.entries()) {
    const { filterShape } = geometry(c);
    const x = tf.tensor4d(normals(size(c.x), 2 * i + 1), c.x);
    const f = tf.tensor4d(normals(size(filterShape), 7 * i + 3), filterShape);
    out.push(await take(tf.conv2d(x, f, c.stride, c.pad as 'same' | 'valid')));
    tf.dispose([x, f]);
  }
  return out;
}

describe('Conv2DBackpropFilter on wasm', () => {
  it('matches the cpu backend on the grid within 1e-4 relative', async () => {
    expect(tf.getBackend()).toBe('wasm');
    const cases = [...GRID, ...EXTRA];
    const wasm = await filterGrads(cases);
    const cpu = await onBackend('cpu', () => filterGrads(cases));
    const bad = cases
      .map((c, i) => ({ c, err: relErr(wasm[i], cpu[i]) }))
      .filter(({ err }) => !(err <= 1e-4));
    expect(bad).toEqual([]);
    expect(cases.length).toBe(96 + EXTRA.length);
  });

  it('forward conv2d (which the kernel runs on) matches cpu on the NHWC grid', async () => {
    const wasm = await forwards(GRID);
    const cpu = await onBackend('cpu', () => forwards(GRID));
    const bad = GRID.map((c, i) => ({ c, err: relErr(wasm[i], cpu[i]) })).filter(
      ({ err }) => !(err <= 1e-4),
    );
    expect(bad).toEqual([]);
  });

  it('rejects a dy of the wrong shape with a clear error and frees its intermediates', async () => {
    const x = tf.zeros([1, 7, 9, 3]);
    const dy = tf.zeros([1, 7, 8, 2]);
    const before = memoryCounts();
    const run = () =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
        strides: 1,
        pad: 'same',
        dataFormat: 'NHWC',
        filterShape: [3, 3, 3, 2],
      } as never);
    expect(run).toThrow(
      /Conv2DBackpropFilter \(wasm\): dy has shape \[1, 7, 8, 2\], expected \[1, 7, 9, 2\]/,
    );
    expect(memoryCounts()).toEqual(before);
    tf.dispose([x, dy]);
  });

  it('leaks no tensors or buffers over repeated calls', async () => {
    const x = tf.tensor(normals(2 * 9 * 9 * 3, 5), [2, 9, 9, 3]);
    const dy = tf.tensor(normals(2 * 5 * 5 * 4, 6), [2, 5, 5, 4]);
    const attrs = { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] };
    const once = () =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as never) as tf.Tensor;
    await take(once());
    const before = memoryCounts();
    for (let i = 0; i < 5; i++) await take(once());
    expect(memoryCounts()).toEqual(before);
    tf.dispose([x, dy]);
  });
});
