/**
 * Our GEMM (wasm/kernels.ts `gemm`, src/engine/backend/kernels/simd-overrides.ts) behind
 * `BatchMatMul` and `_FusedMatMul` on WASM, against the CPU backend: a grid of shapes with every
 * row tail (m mod 4) and column tail (n mod 8), all four transpose combinations, batch axes,
 * bias with linear and ReLU activations, NaN and ∞ placement, empty sums, the same product twice
 * (same kernel, same bits), packed panels (long sum axes) giving the unpacked product's bits, the
 * cases it leaves to XNNPACK (broadcast batch axes), and leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '@/engine/backend';
import { simdKernels, type SimdKernels } from '@/engine/backend/simd/runtime';
import {
  attachedSimdKernels,
  caseMismatches,
  memoryCounts,
  normals,
  onBackend,
  relErr,
  size,
  take,
} from './helpers';

interface Case {
  m: number;
  k: number;
  n: number;
  batch?: number[];
  ta?: boolean;
  tb?: boolean;
  /** fused: bias and activation */
  act?: 'linear' | 'relu';
}

const GRID: Case[] = [];
let seed = 0;
for (const m of [1, 3, 4, 5, 9, 64])
  for (const n of [1, 3, 4, 5, 8, 9, 17, 84]) {
    const k = [1, 2, 7, 120][seed % 4];
    const ta = seed % 2 === 1;
    const tb = seed % 4 >= 2;
    const act = (['linear', 'relu', undefined] as const)[seed % 3];
    GRID.push({ m, k, n, ta, tb, act, batch: seed % 5 === 0 ? [2] : [] });
    seed++;
  }
GRID.push(
  { m: 64, k: 400, n: 120, act: 'relu' }, // LeNet's dense1 forward
  { m: 64, k: 120, n: 400, tb: true }, // its input gradient
  { m: 400, k: 64, n: 120, ta: true }, // its weight gradient
  { m: 6, k: 5, n: 7, ta: true, tb: true, batch: [2, 3] },
  // sum axes from PANEL_MIN_K: B's column blocks packed into panels first
  { m: 21, k: 600, n: 21, act: 'relu' },
  { m: 17, k: 513, n: 9, ta: true, tb: true },
  { m: 16, k: 512, n: 8, tb: true, act: 'linear' },
);

function operands(c: Case, s: number): { a: tf.Tensor; b: tf.Tensor; bias?: tf.Tensor } {
  const batch = c.batch ?? [];
  const aShape = [...batch, ...(c.ta ? [c.k, c.m] : [c.m, c.k])];
  const bShape = [...batch, ...(c.tb ? [c.n, c.k] : [c.k, c.n])];
  const a = tf.tensor(normals(size(aShape), s), aShape);
  const b = tf.tensor(normals(size(bShape), s + 1), bShape);
  const bias = c.act === undefined ? undefined : tf.tensor(normals(c.n, s + 2), [c.n]);
  return { a, b, bias };
}

/** Each case's product (fresh operands, seeded), as float arrays; `poison` adds NaN and ∞. */
async function products(cases: Case[], poison = false): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const [i, c] of cases.entries()) {
    const { a, b, bias } = operands(c, 10 * i);
    let a2 = a;
    if (poison) {
      const v = Float32Array.from(await a.data());
      v[Math.floor(v.length / 2)] = NaN;
      v[0] = Infinity;
      a2 = tf.tensor(v, a.shape);
      a.dispose();
    }
    const y =
      c.act === undefined
        ? tf.matMul(a2, b, c.ta, c.tb)
        : tf.fused.matMul({
            a: a2,
            b,
            bias,
            activation: c.act,
            transposeA: c.ta,
            transposeB: c.tb,
          });
    out.push(await take(y));
    tf.dispose([a2, b, bias].filter((t) => t !== undefined));
  }
  return out;
}

describe('our GEMM behind BatchMatMul and _FusedMatMul (WASM)', () => {
  let k: SimdKernels;

  beforeAll(async () => {
    k = await attachedSimdKernels();
  });
  afterEach(() => vi.restoreAllMocks());

  it('matches the CPU backend on the grid within 1e-5 relative, on our code', async () => {
    const gemm = vi.spyOn(k.exports, 'gemm');
    const ours = await products(GRID);
    // one call per batch entry: every operand is new, so every product is ours
    expect(gemm).toHaveBeenCalledTimes(GRID.reduce((s, c) => s + size(c.batch ?? []), 0));
    const cpu = await onBackend('cpu', () => products(GRID));
    expect(caseMismatches(GRID, ours, cpu, 1e-5)).toEqual([]);
  });

  it('puts NaN and ∞ where the CPU backend does, through the bias and the ReLU', async () => {
    const cases = GRID.filter((c) => c.act !== undefined).slice(-6);
    const ours = await products(cases, true);
    const cpu = await onBackend('cpu', () => products(cases, true));
    for (let i = 0; i < cases.length; i++) {
      const kind = (a: Float32Array) =>
        Array.from(a, (v) => (Number.isNaN(v) ? 'nan' : Number.isFinite(v) ? 'f' : String(v)));
      expect(kind(ours[i])).toEqual(kind(cpu[i]));
      expect(kind(ours[i])).toContain('nan');
      const finite = (a: Float32Array) => a.map((v) => (Number.isFinite(v) ? v : 0));
      expect(relErr(finite(ours[i]), finite(cpu[i]))).toBeLessThanOrEqual(1e-5);
    }
  });

  it('gives the bias alone (through the activation) for an empty sum', async () => {
    const a = tf.zeros([3, 0]);
    const b = tf.zeros([0, 4]);
    const bias = tf.tensor1d([1, -2, Number.NaN, 0.5]);
    const gemm = vi.spyOn(k.exports, 'gemm');
    const y = tf.fused.matMul({ a, b, bias, activation: 'relu' });
    expect(Array.from(await take(y))).toEqual([...Array(3)].flatMap(() => [1, 0, NaN, 0.5]));
    expect(await take(tf.matMul(a, b))).toEqual(new Float32Array(12));
    expect(gemm).not.toHaveBeenCalled();
    tf.dispose([a, b, bias]);
  });

  it('runs the same product on our code every time, with the same bits', async () => {
    // the routing depends on shapes only: a forward pass repeated (x' = x) rounds the same
    const a = tf.tensor(normals(64 * 84, 1), [64, 84]);
    const w = tf.tensor(normals(84 * 120, 2), [84, 120]);
    const gemm = vi.spyOn(k.exports, 'gemm');
    const first = await take(tf.matMul(a, w));
    const second = await take(tf.matMul(a, w));
    const bias = tf.zeros([120]);
    const third = await take(tf.fused.matMul({ a, b: w, bias }));
    expect(gemm).toHaveBeenCalledTimes(3);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    tf.dispose([a, w, bias]);
  });

  it('leaves broadcast batch axes to tfjs, which match the CPU', async () => {
    const run = async () => {
      const a = tf.tensor(normals(2 * 3 * 5, 3), [2, 3, 5]);
      const b = tf.tensor(normals(5 * 4, 4), [1, 5, 4]);
      const out = [await take(tf.matMul(a, b))];
      tf.dispose([a, b]);
      return out;
    };
    const gemm = vi.spyOn(k.exports, 'gemm');
    const ours = await run();
    expect(gemm).not.toHaveBeenCalled();
    const cpu = await onBackend('cpu', run);
    for (let j = 0; j < ours.length; j++) expect(relErr(ours[j], cpu[j])).toBeLessThanOrEqual(1e-4);
  });

  it('gives the same bits with packed panels as without (every column tail, both layouts)', () => {
    const [m, kk] = [13, 37];
    for (const n of [5, 8, 19])
      for (const [ta, tb] of [
        [0, 0],
        [1, 1],
      ]) {
        const floats = 2 * m * kk + kk * n + n + 2 * m * n + kk * n + kk * 8;
        const [base, free] = k.alloc(floats * 4);
        try {
          const A = base;
          const B = A + m * kk * 4;
          const bias = B + kk * n * 4;
          const c1 = bias + n * 4;
          const c2 = c1 + m * n * 4;
          const scratch = c2 + m * n * 4;
          const panel = scratch + kk * n * 4;
          const mem = () => k.memory.buffer;
          new Float32Array(mem(), A, m * kk).set(normals(m * kk, 7));
          new Float32Array(mem(), B, kk * n).set(normals(kk * n, 8));
          new Float32Array(mem(), bias, n).set(normals(n, 9));
          k.exports.gemm(A, B, c1, bias, scratch, m, kk, n, ta, tb, 1, 0);
          new Float32Array(mem(), c2, m * n).fill(NaN);
          new Float32Array(mem(), panel, kk * 8).fill(NaN); // packing must overwrite it all
          k.exports.gemm(A, B, c2, bias, scratch, m, kk, n, ta, tb, 1, panel);
          expect(new Uint32Array(mem().slice(c2, c2 + m * n * 4))).toEqual(
            new Uint32Array(mem().slice(c1, c1 + m * n * 4)),
          );
        } finally {
          free();
        }
      }
  });

  it('gives what tfjs gives when detached, up to rounding', async () => {
    // not a fused product with Bᵀ: tfjs 4.22's own (_FusedMatMul, transposeB) is wrong, off by
    // units on 16×100×8 against the CPU backend (measured); ours matches the CPU (the grid above)
    const cases = GRID.slice(-7).filter((c) => !(c.act !== undefined && c.tb === true));
    const ours = await products(cases);
    await initBackend({ prefer: 'wasm', simdKernels: false });
    const theirs = await products(cases);
    await initBackend({ prefer: 'wasm' });
    k = simdKernels(tf.backend()) as SimdKernels;
    expect(k).toBeDefined();
    expect(caseMismatches(cases, ours, theirs, 1e-5)).toEqual([]);
  });

  it('leaks no tensors or buffers over repeated calls', async () => {
    const few = GRID.slice(-4);
    await products(few);
    const before = memoryCounts();
    for (let i = 0; i < 3; i++) await products(few);
    expect(memoryCounts()).toEqual(before);
  });
});
