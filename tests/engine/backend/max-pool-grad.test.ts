/**
 * Our WASM `MaxPoolGrad` (src/engine/backend/kernels/max-pool-grad.ts), registered by
 * `initBackend` (replaceSlow): bit-for-bit equal to the CPU backend's kernel over a grid of
 * shapes, filters, strides (overlapping and not) and paddings ('same', 'valid', numeric with ceil
 * rounding, explicit); the tie rule (first maximum of the window) and all-negative windows on
 * inputs full of ties; gradients of sum(w ⊙ maxPool(x)) against central finite differences; bad
 * input as a typed error; and no leaked tensors or WASM buffers. Exact 2×2 tilings run our
 * WebAssembly SIMD kernel (wasm/kernels.ts), checked against the CPU backend on the grid and bit
 * for bit against the JavaScript loop it stands in for, special gradients included.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { initBackend, registerWasmTrainingKernels, wasmTrainingKernels } from '@/engine/backend';
import { simdKernels } from '@/engine/backend/simd/runtime';
import { Rng } from '@/engine/rng';
import { memoryCounts, normals, onBackend, size, type Pad } from './helpers';

interface Case {
  x: [number, number, number, number];
  f: number;
  stride: number;
  pad: Pad;
  round?: 'floor' | 'ceil';
}

const GRID: Case[] = [];
for (const stride of [1, 2])
  for (const pad of ['same', 'valid'] as const)
    for (const f of [2, 3])
      for (const x of [
        [1, 7, 9, 1],
        [3, 8, 6, 3],
      ] as [number, number, number, number][])
        GRID.push({ x, f, stride, pad });
/** exact 2×2 tilings: our WebAssembly SIMD kernel (every channel tail: C mod 4 = 0, 1, 2, 3) */
const TILINGS: Case[] = (
  [
    [1, 2, 2, 1],
    [2, 4, 6, 6], // LeNet's pool1 has C = 6
    [2, 6, 4, 4],
    [1, 4, 8, 9],
    [3, 2, 10, 16],
    [2, 8, 6, 3],
  ] as [number, number, number, number][]
).map((x) => ({ x, f: 2, stride: 2, pad: 'valid' }));
GRID.push(
  ...TILINGS,
  { x: [2, 7, 9, 2], f: 3, stride: 2, pad: 1, round: 'ceil' },
  { x: [2, 6, 5, 4], f: 3, stride: 3, pad: 'same' }, // stride = filter, partial windows
  { x: [1, 5, 5, 2], f: 2, stride: 3, pad: 'valid' }, // gaps between windows
  {
    x: [2, 7, 8, 3],
    f: 3,
    stride: 2,
    pad: [
      [0, 0],
      [1, 2],
      [2, 0],
      [0, 0],
    ],
  },
);

/**
 * Input values for a case: 'normal' (no ties), 'ties' (integers in {-1, 0, 1}), 'negative',
 * 'special' (NaN, −∞, +∞, −1, 0 and 1: windows that route nothing, infinite maxima).
 */
type Values = 'normal' | 'ties' | 'negative' | 'special';
const SPECIAL = [NaN, -Infinity, Infinity, -1, 0, 1];
function inputOf(c: Case, kind: Values, seed: number): Float32Array {
  const n = size(c.x);
  if (kind === 'normal') return normals(n, seed);
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () =>
    kind === 'ties'
      ? rng.int(3) - 1
      : kind === 'special'
        ? SPECIAL[rng.int(SPECIAL.length)]
        : -1 - rng.int(2) * 0.5,
  );
}

/** dx of MaxPoolGrad run as a kernel on the live backend for each case. */
async function dxs(cases: Case[], kind: Values): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const [i, c] of cases.entries()) {
    const dx = tf.tidy(() => {
      const x = tf.tensor4d(inputOf(c, kind, 100 + i), c.x); // [B, H, W, C]
      const y = tf.maxPool(x, c.f, c.stride, c.pad, c.round); // [B, oh, ow, C]
      const dy = tf.tensor(normals(y.size, 200 + i), y.shape); // [B, oh, ow, C]
      const attrs = { filterSize: c.f, strides: c.stride, pad: c.pad, dimRoundingMode: c.round };
      return tf
        .engine()
        .runKernel('MaxPoolGrad', { dy, input: x, output: y }, attrs as never) as tf.Tensor;
    });
    out.push(Float32Array.from(await dx.data()));
    dx.dispose();
  }
  return out;
}

/** Indices where a and b differ (as float32 bit patterns: +0 and −0 count as equal). */
function mismatches(a: Float32Array, b: Float32Array): number[] {
  if (a.length !== b.length) return [-1];
  const bad: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) bad.push(i);
  return bad;
}

describe('MaxPoolGrad on wasm (ours)', () => {
  it('is registered as a replacement', () => {
    expect(registerWasmTrainingKernels({ replaceSlow: true }).replaced).toContain('MaxPoolGrad');
    expect(wasmTrainingKernels().replaced).toContain('MaxPoolGrad');
  });

  for (const kind of ['normal', 'ties', 'negative'] as const) {
    it(`equals the cpu backend bit for bit on the grid (${kind} inputs)`, async () => {
      const wasm = await dxs(GRID, kind);
      const cpu = await onBackend('cpu', () => dxs(GRID, kind));
      const bad = GRID.map((c, i) => ({ c, n: mismatches(wasm[i], cpu[i]).length })).filter(
        ({ n }) => n > 0,
      );
      expect(bad).toEqual([]);
      // every window routes its gradient somewhere, ties and all-negative windows included
      for (const dx of wasm) expect(dx.some((v) => v !== 0)).toBe(true);
    });
  }

  it('equals the cpu backend bit for bit with NaN and ±∞ inputs (2×2 fast path and general)', async () => {
    const wasm = await dxs(GRID, 'special');
    const cpu = await onBackend('cpu', () => dxs(GRID, 'special'));
    const bad = GRID.map((c, i) => ({ c, n: mismatches(wasm[i], cpu[i]).length })).filter(
      ({ n }) => n > 0,
    );
    expect(bad).toEqual([]);
    // the grid holds exact 2×2 tilings (the fast path) besides the general cases
    expect(
      GRID.some((c) => c.f === 2 && c.stride === 2 && c.x[1] % 2 === 0 && c.x[2] % 2 === 0),
    ).toBe(true);
  });

  it('runs the 2×2 tilings on our SIMD kernel, bit for bit the JavaScript loop (dy of −0, ±∞, NaN too)', async () => {
    /** dx bits of the tilings with special inputs and a dy full of special values */
    const bits = async (): Promise<Int32Array[]> => {
      const out: Int32Array[] = [];
      for (const [i, c] of TILINGS.entries()) {
        const x = tf.tensor4d(inputOf(c, 'special', 300 + i), c.x); // [B, H, W, C]
        const dyShape = [c.x[0], c.x[1] / 2, c.x[2] / 2, c.x[3]];
        const g = normals(size(dyShape), 400 + i).map((v, j) => [v, -0, NaN, Infinity][j % 4]);
        const dy = tf.tensor(g, dyShape);
        const y = tf.maxPool(x, 2, 2, 'valid');
        const dx = tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, {
          filterSize: 2,
          strides: 2,
          pad: 'valid',
        } as never) as tf.Tensor;
        out.push(new Int32Array((await dx.data()).buffer.slice(0)));
        tf.dispose([x, dy, y, dx]);
      }
      return out;
    };
    const k = simdKernels(tf.backend());
    expect(k).toBeDefined();
    const spy = vi.spyOn(k!.exports, 'pool2x2Grad');
    const ours = await bits();
    expect(spy).toHaveBeenCalledTimes(TILINGS.length);
    spy.mockRestore();
    await initBackend({ prefer: 'wasm', simdKernels: false });
    const js = await bits();
    await initBackend({ prefer: 'wasm' });
    expect(ours).toEqual(js);
  });

  it('routes a tie to the first maximum of the window (row by row)', async () => {
    // one 2×2 window [[1, 1], [1, 0]]: the gradient goes to (0, 0) only
    const x = tf.tensor4d([1, 1, 1, 0], [1, 2, 2, 1]);
    const dx = tf.grad((v: tf.Tensor) =>
      tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, 2, 2, 'valid'), 3)),
    )(x);
    expect(Array.from(await dx.data())).toEqual([3, 0, 0, 0]);
    // an all-negative window still routes to its maximum (tfjs's own WASM kernel loses it)
    const neg = tf.tensor4d([-3, -1, -2, -5], [1, 2, 2, 1]);
    const dn = tf.grad((v: tf.Tensor) => tf.sum(tf.maxPool(v as tf.Tensor4D, 2, 2, 'valid')))(neg);
    expect(Array.from(await dn.data())).toEqual([0, 1, 0, 0]);
    tf.dispose([x, dx, neg, dn]);
  });

  it('matches central finite differences of sum(w ⊙ maxPool(x))', async () => {
    for (const c of [GRID[0], GRID[6], GRID[GRID.length - 1]]) {
      const n = size(c.x);
      // distinct values 0.1 apart, so a step of 0.01 never changes any window's arg-max
      const perm = new Rng(7).permutation(n);
      const base = Float32Array.from(perm, (p) => p * 0.1 - n * 0.05);
      const f = (v: tf.Tensor) => {
        const y = tf.maxPool(v as tf.Tensor4D, c.f, c.stride, c.pad, c.round); // [B, oh, ow, C]
        return tf.sum(tf.mul(y, tf.tensor(normals(y.size, 3), y.shape)));
      };
      const x = tf.tensor4d(base, c.x);
      const g = tf.grad(f)(x);
      const grad = Float32Array.from(await g.data());
      tf.dispose([x, g]);
      const eps = 0.01;
      const value = async (v: Float32Array) => {
        const t = tf.tidy(() => f(tf.tensor4d(v, c.x)));
        const r = (await t.data())[0];
        t.dispose();
        return r;
      };
      for (const idx of [0, 1, Math.floor(n / 3), Math.floor(n / 2), n - 2, n - 1]) {
        const up = base.slice();
        up[idx] += eps;
        const down = base.slice();
        down[idx] -= eps;
        const fd = ((await value(up)) - (await value(down))) / (2 * eps);
        expect(Math.abs(fd - grad[idx])).toBeLessThan(2e-2 + 1e-2 * Math.abs(grad[idx]));
      }
    }
  });

  it('rejects a dy of the wrong shape with a typed error', () => {
    const x = tf.zeros([1, 4, 4, 2]);
    const dy = tf.zeros([1, 3, 3, 2]);
    const attrs = { filterSize: 2, strides: 2, pad: 'valid' };
    expect(() =>
      tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: dy }, attrs as never),
    ).toThrow(/MaxPoolGrad \(wasm\): dy has shape \[1, 3, 3, 2\], expected \[1, 2, 2, 2\]/);
    tf.dispose([x, dy]);
  });

  it('leaks no tensors or buffers over repeated calls', async () => {
    const few = GRID.slice(-4);
    await dxs(few, 'normal');
    const before = memoryCounts();
    for (let i = 0; i < 3; i++) await dxs(few, 'ties');
    expect(memoryCounts()).toEqual(before);
  });
});
