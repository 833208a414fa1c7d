/**
 * Our WebAssembly SIMD kernels (wasm/kernels.ts, src/engine/backend/kernels/simd-overrides.ts)
 * against the CPU backend.
 * - The gradients of a stride-1 convolution: a one-input-channel grid of widths (below, at and past
 *   the 4-lane blocks), kernel sizes (even ones too), paddings (asymmetric and larger than the
 *   filter), batch sizes and output channels (every kw·Cout mod 4), and a grid with several
 *   input channels (every kw·Cin mod 5, Cout across the 8-lane tiles); NaN and ∞ stay where the
 *   CPU backend puts them (the masked lanes add exact zeros); the cases they do not take fall
 *   back; no tensors or buffers leak; the committed binary is what the source compiles to.
 * - `Sum` over every axis but the last (bias gradients) and `AdvPruneReluGrad` (dy ⊙ step(y), the
 *   ReLU gradient of src/engine/model/fused.ts): shapes with every channel tail, keepDims,
 *   special values, fallbacks, leaks; the ReLU gradient bit for bit tfjs's mul(dy, step(y)).
 * - Softmax cross-entropy and its gradient as one kernel each (`crossEntropy` of
 *   src/engine/attacks/losses.ts): against the tfjs composition on WASM and the CPU backend,
 *   central finite differences, NaN logits, labels outside [0, K), bad input, leaks.
 * - One SGD step per parameter as one kernel (src/engine/train/optimizers.ts): bit for bit the
 *   tfjs composition over momentum, Nesterov, weight decay and masks; bad input; leaks. The
 *   update's finiteness guard as one kernel: every tail length, NaN/±∞ anywhere, empty inputs.
 * (Max-pooling's gradient: max-pool-grad.test.ts.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeBackend, initBackend } from '@/engine/backend';
import { RELU_GRAD } from '@/engine/backend/kernels/simd-overrides';
import { SOFTMAX_CE, SOFTMAX_CE_GRAD } from '@/engine/backend/kernels/softmax-ce';
import { crossEntropy } from '@/engine/attacks/losses';
import { ALL_FINITE, SGD_UPDATE, allFiniteKernel } from '@/engine/backend/kernels/sgd-update';
import {
  computeUpdate,
  createOptimizer,
  disposeOptimizer,
  disposeUpdate,
  type OptimizerConfigInput,
} from '@/engine/train/optimizers';
import { simdKernels, simdKernelStatus, type SimdKernels } from '@/engine/backend/simd/runtime';
import {
  attachedSimdKernels,
  memoryCounts,
  normals,
  onBackend,
  relErr,
  size,
  take,
  type Pad,
} from './helpers';

interface Case {
  x: [number, number, number, number]; // [B, H, W, Cin]
  k: [number, number];
  cout: number;
  stride?: number;
  pad: Pad;
  nchw?: boolean;
}

const GRID: Case[] = [];
/** output widths: below, at and past the 4- and 16-pixel blocks */
const WIDTHS = [1, 3, 4, 5, 15, 16, 17, 28, 33];
let n = 0;
for (const pad of ['same', 'valid'] as const)
  for (const [kh, kw] of [
    [1, 1],
    [3, 3],
    [5, 5],
    [2, 4],
    [7, 3],
  ])
    for (const cout of [1, 2, 3, 4, 6, 9]) {
      const extra = pad === 'valid' ? 1 : 0; // 'valid' loses k − 1 rows and columns
      const w = WIDTHS[n % WIDTHS.length] + extra * (kw - 1);
      const h = [6, 9, 11][n % 3] + extra * (kh - 1);
      const b = [1, 2, 5][n % 3];
      GRID.push({ x: [b, h, w, 1], k: [kh, kw], cout, pad });
      n++;
    }
GRID.push(
  { x: [3, 28, 28, 1], k: [5, 5], cout: 6, pad: 'same' }, // LeNet's conv1
  { x: [2, 7, 9, 1], k: [3, 3], cout: 4, pad: 4 }, // padding larger than the filter
  {
    x: [2, 7, 9, 1],
    k: [3, 5],
    cout: 5,
    pad: [
      [0, 0],
      [0, 2],
      [3, 1],
      [0, 0],
    ],
  },
);
/**
 * Several input channels (the input gradient as a product and a scatter, the filter gradient as an
 * implicit product): every kw·Cin mod 5 tile tail, Cout across the 8-lane tiles, paddings.
 */
const MULTI: Case[] = [];
for (const [i, cin] of [2, 3, 4, 5, 6, 7, 16].entries())
  for (const [j, [kh, kw]] of [
    [3, 3],
    [5, 5],
    [1, 2],
  ].entries()) {
    const n2 = 3 * i + j;
    const pad = (['same', 'valid', 2] as const)[n2 % 3];
    const extra = pad === 'valid' ? 1 : 0;
    MULTI.push({
      x: [
        [1, 2, 3][n2 % 3],
        [5, 7, 10][n2 % 3] + extra * (kh - 1),
        WIDTHS[n2 % WIDTHS.length] + extra * (kw - 1),
        cin,
      ],
      k: [kh, kw],
      cout: [1, 5, 8, 9, 16, 17][n2 % 6],
      pad,
    });
  }
MULTI.push({ x: [3, 14, 14, 6], k: [5, 5], cout: 16, pad: 'valid' }); // LeNet's conv2
/** Cases ours does not take: they run the kernel it wraps. */
const FALLBACK: Case[] = [
  { x: [2, 9, 9, 1], k: [3, 3], cout: 4, stride: 2, pad: 'same' },
  { x: [2, 9, 9, 2], k: [3, 3], cout: 4, stride: 2, pad: 'same' },
  { x: [2, 1, 9, 9], k: [3, 3], cout: 4, pad: 'same', nchw: true },
];

function dyShape(c: Case): number[] {
  const cin = c.nchw ? c.x[1] : c.x[3];
  return tf.backend_util.computeConv2DInfo(
    c.x,
    [c.k[0], c.k[1], cin, c.cout],
    c.stride ?? 1,
    1,
    c.pad,
    undefined,
    false,
    c.nchw ? 'channelsFirst' : 'channelsLast',
  ).outShape;
}

/**
 * dx and dW of each case (seeded data). `poison` puts NaN and ∞ into dy and NaN into x;
 * `zeroPadded` computes dW from x padded with explicit zeros and a 'valid' convolution, so that
 * the padding's zeros take part in the products (0·∞ = NaN) as in a padded loop.
 */
async function grads(cases: Case[], poison = false, zeroPadded = false): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const [i, c] of cases.entries()) {
    const cin = c.nchw ? c.x[1] : c.x[3];
    const fShape: [number, number, number, number] = [c.k[0], c.k[1], cin, c.cout];
    const dys = dyShape(c);
    const dyv = normals(size(dys), 3 * i + 1);
    const xv = normals(size(c.x), 3 * i + 3);
    if (poison) {
      dyv[Math.floor(dyv.length / 3)] = NaN;
      dyv[Math.floor((2 * dyv.length) / 3)] = Infinity;
      xv[Math.floor(xv.length / 2)] = NaN;
    }
    const dy = tf.tensor(dyv, dys);
    const filter = tf.tensor(normals(size(fShape), 3 * i + 2), fShape);
    let x = tf.tensor(xv, c.x);
    const common = { strides: c.stride ?? 1, pad: c.pad, dataFormat: c.nchw ? 'NCHW' : 'NHWC' };
    const e = tf.engine();
    const dx = e.runKernel('Conv2DBackpropInput', { dy, filter }, {
      ...common,
      inputShape: c.x,
    } as never) as tf.Tensor;
    let wAttrs = { ...common, filterShape: fShape, dilations: 1 };
    if (zeroPadded) {
      const { top, bottom, left, right } = tf.backend_util.computeConv2DInfo(
        c.x,
        fShape,
        c.stride ?? 1,
        1,
        c.pad,
      ).padInfo;
      const padded = tf.pad(x, [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ]);
      x.dispose();
      x = padded;
      wAttrs = { ...wAttrs, pad: 'valid' };
    }
    const dw = e.runKernel('Conv2DBackpropFilter', { x, dy }, wAttrs as never) as tf.Tensor;
    expect(dx.shape).toEqual(c.x);
    expect(dw.shape).toEqual(fShape);
    out.push(await take(dx), await take(dw));
    tf.dispose([dy, filter, x]);
  }
  return out;
}

function mismatches(cases: Case[], ours: Float32Array[], cpu: Float32Array[], tol: number) {
  return cases.flatMap((c, i) =>
    ['dx', 'dW'].flatMap((what, j) => {
      const err = relErr(ours[2 * i + j], cpu[2 * i + j]);
      return err <= tol ? [] : [{ case: c, what, err }];
    }),
  );
}

describe('SIMD convolution gradients', () => {
  let k: SimdKernels;

  beforeAll(async () => {
    k = await attachedSimdKernels();
  });
  afterAll(() => vi.restoreAllMocks());

  it('is attached on WASM and said so in the backend description', async () => {
    expect(simdKernelStatus()).toEqual({ attached: true, threads: 1 });
    const d = await describeBackend();
    expect(d.wasm?.simdKernels).toEqual({
      kernels: [
        'AdvPruneAllFinite',
        'AdvPruneReluGrad',
        'AdvPruneSgdUpdate',
        'AdvPruneSoftmaxCE',
        'AdvPruneSoftmaxCEGrad',
        'BatchMatMul',
        'Conv2D',
        'Conv2DBackpropFilter',
        'Conv2DBackpropInput',
        'FusedConv2D',
        'MaxPool',
        'MaxPoolGrad',
        'Sum',
        '_FusedMatMul',
      ],
      attached: true,
      threads: 1,
    });
  });

  it('matches the CPU backend on the grid within 1e-5 relative, and runs our code', async () => {
    const input = vi.spyOn(k.exports, 'inputGrad');
    const filter = vi.spyOn(k.exports, 'filterGrad');
    const ours = await grads(GRID);
    expect(input).toHaveBeenCalledTimes(GRID.length);
    expect(filter).toHaveBeenCalledTimes(GRID.length);
    input.mockRestore();
    filter.mockRestore();
    const cpu = await onBackend('cpu', () => grads(GRID));
    expect(mismatches(GRID, ours, cpu, 1e-5)).toEqual([]);
  });

  it('with several input channels matches the CPU backend within 1e-5 relative, on our code', async () => {
    const cols = vi.spyOn(k.exports, 'inputGradCols');
    const filter = vi.spyOn(k.exports, 'filterGrad');
    const ours = await grads(MULTI);
    expect(cols).toHaveBeenCalledTimes(MULTI.length);
    expect(filter).toHaveBeenCalledTimes(MULTI.length);
    cols.mockRestore();
    filter.mockRestore();
    const cpu = await onBackend('cpu', () => grads(MULTI));
    expect(mismatches(MULTI, ours, cpu, 1e-5)).toEqual([]);
  });

  it('leaves other cases to the kernel it wraps, which matches the CPU backend', async () => {
    const input = vi.spyOn(k.exports, 'inputGrad');
    const cols = vi.spyOn(k.exports, 'inputGradCols');
    const filter = vi.spyOn(k.exports, 'filterGrad');
    const ours = await grads(FALLBACK);
    expect(input).not.toHaveBeenCalled();
    expect(cols).not.toHaveBeenCalled();
    expect(filter).not.toHaveBeenCalled();
    input.mockRestore();
    filter.mockRestore();
    const cpu = await onBackend('cpu', () => grads(FALLBACK));
    expect(mismatches(FALLBACK, ours, cpu, 1e-4)).toEqual([]);
  });

  it('puts NaN results where the CPU backend does: dx as is, dW with the padding as zeros', async () => {
    // dW: x outside the image is read as 0, and 0·∞ = NaN, as in XNNPACK's padded convolution
    // (the kernel ours replaces); the CPU backend skips those products, so its reference here
    // gets x padded with explicit zeros
    const cases = [
      ...[0.1, 0.3, 0.6, 0.9, 1].map((f) => GRID[Math.ceil(f * GRID.length) - 1]),
      // (a padding wider than the filter leaves dy pixels that touch no x: no NaN to place)
      ...MULTI.filter((c) => typeof c.pad === 'string').slice(-4),
    ];
    const ours = await grads(cases, true);
    const cpu = await onBackend('cpu', () => grads(cases, true, true));
    const nan = (a: Float32Array) => Array.from(a, (v) => (Number.isNaN(v) ? 1 : 0));
    const finite = (a: Float32Array) => a.map((v) => (Number.isFinite(v) ? v : 0));
    for (let i = 0; i < ours.length; i++) {
      expect(nan(ours[i])).toEqual(nan(cpu[i]));
      expect(nan(cpu[i])).toContain(1);
      expect(relErr(finite(ours[i]), finite(cpu[i]))).toBeLessThanOrEqual(1e-5);
    }
  });

  it('gives the same dx and dW when detached (tfjs kernels) up to rounding', async () => {
    const cases = [...GRID.slice(-3), ...MULTI.slice(-2)];
    const ours = await grads(cases);
    await initBackend({ prefer: 'wasm', simdKernels: false });
    expect(simdKernels(tf.backend())).toBeUndefined();
    expect(simdKernelStatus().attached).toBe(false);
    const theirs = await grads(cases);
    await initBackend({ prefer: 'wasm' });
    expect(simdKernels(tf.backend())).toBeDefined();
    expect(mismatches(cases, ours, theirs, 1e-5)).toEqual([]);
  });

  it('leaks no tensors or buffers over repeated calls', async () => {
    const few = [...GRID.slice(-3), ...MULTI.slice(-2), ...FALLBACK];
    await grads(few);
    const before = memoryCounts();
    for (let i = 0; i < 3; i++) await grads(few);
    expect(memoryCounts()).toEqual(before);
  });

  it('the committed binary is what wasm/kernels.ts compiles to (npm run build:wasm)', async () => {
    const { generate, TARGET } = await import('../../../scripts/build-wasm.mjs');
    const { readFileSync } = await import('node:fs');
    expect(await generate()).toBe(readFileSync(TARGET, 'utf8'));
  });
});

/** Shapes for the column sum and the ReLU gradient: every channel tail, odd row counts. */
const SHAPES: number[][] = [
  [5, 1],
  [3, 2],
  [7, 3],
  [4, 4],
  [9, 6],
  [2, 3, 5, 7],
  [3, 28, 28, 6],
  [2, 10, 10, 16],
  [1, 1, 1, 9],
  [0, 4],
];

describe('SIMD column sum and ReLU gradient', () => {
  let k: SimdKernels;

  beforeAll(async () => {
    k = await attachedSimdKernels();
  });

  /** sums over every axis but the last (with and without keepDims), then other reductions */
  async function sums(keepDims: boolean): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (const [i, shape] of SHAPES.entries()) {
      const x = tf.tensor(normals(size(shape), 500 + i), shape);
      const axes = shape.slice(0, -1).map((_, a) => a);
      const y = tf.sum(x, axes.length === 1 ? axes[0] : axes.reverse(), keepDims);
      expect(y.shape).toEqual(
        keepDims ? [...shape.slice(0, -1).map(() => 1), shape[shape.length - 1]] : [shape.at(-1)],
      );
      out.push(await take(y));
      x.dispose();
    }
    return out;
  }

  it('Sum over all axes but the last matches the CPU backend (1e-5), on our code', async () => {
    const spy = vi.spyOn(k.exports, 'colSum');
    const ours = [...(await sums(false)), ...(await sums(true))];
    expect(spy).toHaveBeenCalledTimes(2 * SHAPES.filter((s) => s.at(-1)! > 0).length);
    spy.mockRestore();
    const cpu = await onBackend('cpu', async () => [...(await sums(false)), ...(await sums(true))]);
    for (let i = 0; i < ours.length; i++) expect(relErr(ours[i], cpu[i])).toBeLessThanOrEqual(1e-5);
    // an empty reduction is 0, not garbage
    expect(Array.from(ours[SHAPES.length - 1])).toEqual([0, 0, 0, 0]);
  });

  it('Sum leaves other reductions (other axes, int32) to tfjs, matching the CPU backend', async () => {
    const spy = vi.spyOn(k.exports, 'colSum');
    const run = async () => {
      const x = tf.tensor(normals(2 * 3 * 5, 9), [2, 3, 5]);
      const xi = tf.tensor([1, 2, 3, 4, 5, 6], [3, 2], 'int32');
      const ys = [tf.sum(x, 2), tf.sum(x, [0, 2]), tf.sum(x), tf.sum(x, 1), tf.sum(xi, 0)];
      const out = await Promise.all(ys.map(take));
      tf.dispose([x, xi]);
      return out;
    };
    const ours = await run();
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
    const cpu = await onBackend('cpu', run);
    for (let i = 0; i < ours.length; i++) expect(relErr(ours[i], cpu[i])).toBeLessThanOrEqual(1e-5);
  });

  /** dz bits of the ReLU gradient per shape; y has zeros, negatives, NaN, ±∞; dy −0, NaN, ∞ */
  async function reluGrads(useKernel: boolean): Promise<Int32Array[]> {
    const out: Int32Array[] = [];
    for (const [i, shape] of SHAPES.entries()) {
      const n = size(shape);
      const special = [0, -1, NaN, Infinity, -Infinity, -0];
      const yv = normals(n, 600 + i).map((v, j) => (j % 5 === 0 ? special[j % 6] : v));
      const dyv = normals(n, 700 + i).map((v, j) => (j % 7 === 0 ? [-0, NaN, Infinity][j % 3] : v));
      const y = tf.tensor(yv, shape);
      const dy = tf.tensor(dyv, shape);
      const dz = useKernel
        ? (tf.engine().runKernel(RELU_GRAD, { dy, y }) as tf.Tensor)
        : tf.mul(dy, tf.step(y));
      expect(dz.shape).toEqual(shape);
      out.push(new Int32Array((await take(dz)).buffer));
      tf.dispose([y, dy]);
    }
    return out;
  }

  /** NaN payloads may differ between implementations: compare bits, any NaN as one value */
  const canonical = (a: Int32Array) =>
    Array.from(a, (b) => ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0 ? 'NaN' : b));

  it('the ReLU gradient is bit for bit mul(dy, step(y)) on the CPU backend, on our code', async () => {
    const spy = vi.spyOn(k.exports, 'reluGrad');
    const ours = await reluGrads(true);
    expect(spy).toHaveBeenCalledTimes(SHAPES.filter((s) => size(s) > 0).length);
    spy.mockRestore();
    const cpu = await onBackend('cpu', () => reluGrads(false));
    expect(ours.map(canonical)).toEqual(cpu.map(canonical));
    // −0 kept (dy < 0 where y ≤ 0) and NaN through where y is NaN: the cases a mask would lose
    expect(ours.some((a) => a.includes(-0x80000000))).toBe(true);
  });

  it('without our code the ReLU gradient runs Step and Multiply, with the same bits', async () => {
    const ours = await reluGrads(true);
    await initBackend({ prefer: 'wasm', simdKernels: false });
    const composed = await reluGrads(true);
    await initBackend({ prefer: 'wasm' });
    expect(composed.map(canonical)).toEqual(ours.map(canonical));
  });

  it('leak no tensors or buffers over repeated calls', async () => {
    await sums(true);
    await reluGrads(true);
    const before = memoryCounts();
    for (let i = 0; i < 3; i++) {
      await sums(false);
      await reluGrads(true);
    }
    expect(memoryCounts()).toEqual(before);
  });
});

describe('softmax cross-entropy as one kernel', () => {
  /** loss and its gradient wrt z (weights w per sample), for logits z [b, k] and labels y */
  async function ce(
    zv: Float32Array,
    yv: number[],
    k: number,
  ): Promise<{ loss: Float32Array; grad: Float32Array }> {
    const b = yv.length;
    const z = tf.tensor2d(zv, [b, k]);
    const y = tf.tensor1d(yv, 'int32');
    const w = tf.tensor1d(normals(b, 77));
    const loss = crossEntropy(z, y);
    const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(crossEntropy(v as tf.Tensor2D, y), w)))(z);
    const out = { loss: await take(loss), grad: await take(grad) };
    tf.dispose([z, y, w]);
    return out;
  }

  const CASES: [number, number][] = [
    [64, 10],
    [7, 3],
    [1, 2],
    [5, 100],
  ];

  it('equals the tfjs composition (WASM and CPU backends) within 1e-5, on our kernel', async () => {
    const k = simdKernels(tf.backend())!;
    const fwd = vi.spyOn(k.exports, 'softmaxCE');
    const bwd = vi.spyOn(k.exports, 'softmaxCEGrad');
    for (const [i, [b, classes]] of CASES.entries()) {
      const zv = normals(b * classes, 800 + i).map((v) => 4 * v);
      const yv = Array.from({ length: b }, (_, j) => (j * 7 + i) % classes);
      const ours = await ce(zv, yv, classes);
      await initBackend({ prefer: 'wasm', simdKernels: false });
      const ops = await ce(zv, yv, classes);
      await initBackend({ prefer: 'wasm' });
      const cpu = await onBackend('cpu', () => ce(zv, yv, classes));
      for (const ref of [ops, cpu]) {
        expect(relErr(ours.loss, ref.loss)).toBeLessThanOrEqual(1e-5);
        expect(relErr(ours.grad, ref.grad)).toBeLessThanOrEqual(1e-5);
      }
    }
    expect(fwd).toHaveBeenCalled();
    expect(bwd).toHaveBeenCalled();
    fwd.mockRestore();
    bwd.mockRestore();
  });

  it('its gradient matches central finite differences', async () => {
    const b = 3;
    const classes = 5;
    const zv = normals(b * classes, 901);
    const yv = [0, 4, 2];
    const { grad } = await ce(zv, yv, classes);
    const f = async (v: Float32Array) => {
      const z = tf.tensor2d(v, [b, classes]);
      const y = tf.tensor1d(yv, 'int32');
      const w = tf.tensor1d(normals(b, 77));
      const s = tf.sum(tf.mul(crossEntropy(z, y), w));
      const out = (await s.data())[0];
      tf.dispose([z, y, w, s]);
      return out;
    };
    const h = 1e-2;
    for (let i = 0; i < zv.length; i++) {
      const up = zv.slice();
      const down = zv.slice();
      up[i] += h;
      down[i] -= h;
      const fd = ((await f(up)) - (await f(down))) / (2 * h);
      expect(Math.abs(fd - grad[i])).toBeLessThanOrEqual(2e-3);
    }
  });

  it('propagates NaN logits and reads a label outside [0, K) as z_y = 0, like the composition', async () => {
    const zv = Float32Array.from([1, NaN, 3, 0.5, -1, 2, 4, 1, 0]);
    const yv = [0, 7, -1];
    const ours = await ce(zv, yv, 3);
    await initBackend({ prefer: 'wasm', simdKernels: false });
    const ops = await ce(zv, yv, 3);
    await initBackend({ prefer: 'wasm' });
    expect(Number.isNaN(ours.loss[0])).toBe(true);
    expect(Number.isNaN(ops.loss[0])).toBe(true);
    expect(relErr(ours.loss.slice(1), ops.loss.slice(1))).toBeLessThanOrEqual(1e-6);
    expect(relErr(ours.grad.slice(3), ops.grad.slice(3))).toBeLessThanOrEqual(1e-6);
  });

  it('rejects bad input with a typed error naming the kernel', () => {
    const z = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const yf = tf.tensor1d([0, 1], 'float32');
    const y3 = tf.tensor1d([0, 1, 1], 'int32');
    expect(() => tf.engine().runKernel(SOFTMAX_CE, { z, y: yf })).toThrow(
      /AdvPruneSoftmaxCE.*int32/,
    );
    expect(() => tf.engine().runKernel(SOFTMAX_CE, { z, y: y3 })).toThrow(/labels must be/);
    expect(() =>
      tf.engine().runKernel(SOFTMAX_CE_GRAD, { z, y: tf.tensor1d([0, 1], 'int32'), dy: y3 }),
    ).toThrow(/dy must be/);
    tf.dispose([z, yf, y3]);
  });

  it('leaks no tensors or buffers over repeated calls', async () => {
    const zv = normals(640, 5);
    const yv = Array.from({ length: 64 }, (_, j) => j % 10);
    await ce(zv, yv, 10);
    const before = memoryCounts();
    for (let i = 0; i < 3; i++) await ce(zv, yv, 10);
    expect(memoryCounts()).toEqual(before);
  });
});

describe('SGD step as one kernel', () => {
  const SHAPES2: Record<string, number[]> = { w: [5, 5, 1, 6], b: [6], d: [7, 3], e: [0] };

  /** bits of params and momentum buffers after 3 steps of `cfg` (with masks if `masked`) */
  async function threeSteps(cfg: OptimizerConfigInput, masked: boolean): Promise<number[][]> {
    // inside tidy: the initial values are freed, the variables (never tracked by tidy) stay
    const params = new Map<string, tf.Variable>();
    tf.tidy(() => {
      for (const [i, [name, shape]] of Object.entries(SHAPES2).entries()) {
        const init = tf.tensor(normals(size(shape), 1000 + i), shape);
        params.set(name, tf.variable(init, true, `sgd-${name}-${i}`));
      }
    });
    const opt = createOptimizer(cfg, params);
    const masks = new Map(
      Object.entries(SHAPES2).map(([name, shape], i) => [
        name,
        tf.tensor(
          normals(size(shape), 1100 + i).map((v) => (v > 0 ? 1 : 0)),
          shape,
        ),
      ]),
    );
    for (let step = 0; step < 3; step++) {
      const grads = new Map(
        Object.entries(SHAPES2).map(([name, shape], i) => [
          name,
          tf.tensor(
            normals(size(shape), 1200 + 10 * step + i).map((v) => 3 * v),
            shape,
          ),
        ]),
      );
      const pending = computeUpdate(opt, params, grads, 0.05, masked ? masks : undefined);
      for (const [name, u] of pending.values) {
        params.get(name)!.assign(u.param);
        u.slots.forEach((t, j) => opt.slots.get(name)![j].assign(t));
      }
      disposeUpdate(pending);
      tf.dispose([...grads.values()]);
    }
    const out: number[][] = [];
    for (const [name, p] of params) {
      out.push(Array.from(new Int32Array((await p.data()).buffer)));
      for (const s of opt.slots.get(name)!)
        out.push(Array.from(new Int32Array((await s.data()).buffer)));
    }
    disposeOptimizer(opt);
    tf.dispose([...params.values(), ...masks.values()]);
    return out;
  }

  const CONFIGS: OptimizerConfigInput[] = [
    { kind: 'sgd' },
    { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 1e-3 },
    { kind: 'sgd', momentum: 0, weightDecay: 0 },
    { kind: 'sgd', momentum: 0.5, weightDecay: 0 },
  ];

  it('is bit for bit the tfjs composition (momentum, Nesterov, decay, masks), on our kernel', async () => {
    for (const cfg of CONFIGS) {
      for (const masked of [false, true]) {
        const spy = vi.spyOn(simdKernels(tf.backend())!.exports, 'sgdUpdate'); // attached anew below
        const ours = await threeSteps(cfg, masked);
        expect(spy).toHaveBeenCalledTimes(3 * (Object.keys(SHAPES2).length - 1)); // [0]: no call
        spy.mockRestore();
        await initBackend({ prefer: 'wasm', simdKernels: false });
        const ops = await threeSteps(cfg, masked);
        await initBackend({ prefer: 'wasm' });
        expect(ours).toEqual(ops);
      }
    }
  });

  it('rejects inconsistent input with a typed error', () => {
    const p = tf.zeros([3]);
    const g2 = tf.zeros([4]);
    const attrs = { lr: 0.1, momentum: 0, weightDecay: 0, nesterov: false };
    expect(() => tf.engine().runKernel(SGD_UPDATE, { p, g: g2 }, attrs as never)).toThrow(
      /AdvPruneSgdUpdate.*g has shape/,
    );
    expect(() =>
      tf.engine().runKernel(SGD_UPDATE, { p, g: p }, { ...attrs, momentum: 0.9 } as never),
    ).toThrow(/momentum buffer/);
    tf.dispose([p, g2]);
  });

  it('leaks no tensors or buffers over repeated steps', async () => {
    await threeSteps(CONFIGS[1], true);
    const before = memoryCounts();
    for (let i = 0; i < 2; i++) await threeSteps(CONFIGS[1], true);
    expect(memoryCounts()).toEqual(before);
  });
});

describe('finiteness guard as one kernel', () => {
  const guard = async (ts: tf.Tensor[]): Promise<boolean> => {
    const out = allFiniteKernel(ts);
    expect(out.dtype).toBe('bool');
    expect(out.shape).toEqual([]);
    const v = (await out.data())[0] === 1;
    out.dispose();
    return v;
  };

  it('is true only when every element of every input is finite', async () => {
    for (const n of [1, 3, 4, 5, 17, 1000]) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (const at of [0, n - 1, Math.floor(n / 2)]) {
          const v = normals(n, n);
          const clean = tf.tensor1d(v);
          v[at] = bad;
          const dirty = tf.tensor(v, [n]);
          const other = tf.tensor2d(normals(6, 3), [2, 3]);
          const empty = tf.zeros([0, 4]);
          expect(await guard([other, clean, empty])).toBe(true);
          expect(await guard([other, dirty])).toBe(false);
          expect(await guard([dirty, clean])).toBe(false);
          tf.dispose([clean, dirty, other, empty]);
        }
      }
    }
    const big = tf.tensor1d([1e38, -1e38, 3.4e38]); // large but finite: x·0 is still 0
    expect(await guard([big])).toBe(true);
    big.dispose();
  });

  it('rejects other dtypes with a typed error and leaks nothing', async () => {
    const i = tf.tensor1d([1, 2], 'int32');
    expect(() => tf.engine().runKernel(ALL_FINITE, { i })).toThrow(/AdvPruneAllFinite.*float32/);
    i.dispose();
    const a = tf.ones([3, 3]);
    await guard([a]);
    const before = memoryCounts();
    for (let r = 0; r < 3; r++) await guard([a, a]);
    expect(memoryCounts()).toEqual(before);
    a.dispose();
  });
});
