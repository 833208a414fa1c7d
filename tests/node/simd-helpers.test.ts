/**
 * Helper threads of our WebAssembly kernels (src/engine/backend/simd/helpers.ts) with Node's
 * workers (src/node/simd-helpers.ts), on a shared memory of our own (no tfjs): a batch kernel
 * split into claimed tasks gives the same bits as one thread, the helper really runs tasks, a
 * failing task surfaces as an error on the calling thread and the pool keeps working, and
 * terminate() stops the helpers. (In tfjs: tests/node/wasm-threads.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimdPool } from '@/engine/backend/simd/helpers';
import { KERNELS_WASM_SHARED } from '@/engine/backend/simd/kernels-wasm';
import type { ConvExports } from '@/engine/backend/simd/runtime';
import { nodeSimdHelper } from '@/node/simd-helpers';
import { normals } from '../engine/backend/helpers';

interface Wasm {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => {
    buffer: SharedArrayBuffer;
  };
  compile(b: Uint8Array): Promise<object>;
  instantiate(m: object, i: object): Promise<{ exports: object }>;
}
const WA = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

const F32 = 4;
// LeNet's conv2 at batch 48: x [48, 14, 14, 6], dy [48, 10, 10, 16], dW [5, 5, 6, 16]
const [B, H, W, CIN, OH, OW, C, K] = [48, 14, 14, 6, 10, 10, 16, 5];
const N = K * K * CIN * C;
const X = 1 << 20;
const DY = X + B * H * W * CIN * F32;
const DW1 = DY + B * OH * OW * C * F32; // one thread's dW
const DW2 = DW1 + N * F32; // the pool's dW
const PARTS = DW2 + N * F32; // [B][N]
const SCRATCH = PARTS + B * N * F32; // two threads' padded images
const PADDED = (OH + K - 1) * (OW + K - 1) * CIN * F32;

describe('helper threads of our WASM kernels (Node)', () => {
  let memory: { buffer: SharedArrayBuffer };
  let k: ConvExports;
  let pool: SimdPool;

  beforeAll(async () => {
    memory = new WA.Memory({ initial: 256, maximum: 1024, shared: true }); // 16 MiB
    const module = await WA.compile(Buffer.from(KERNELS_WASM_SHARED, 'base64'));
    k = (await WA.instantiate(module, { env: { memory } })).exports as ConvExports;
    pool = new SimdPool(k as unknown as Record<string, unknown>, module, memory, nodeSimdHelper, 1);
    expect(await pool.whenReady(10_000)).toBe(true);
    new Float32Array(memory.buffer, X, B * H * W * CIN).set(normals(B * H * W * CIN, 1));
    new Float32Array(memory.buffer, DY, B * OH * OW * C).set(normals(B * OH * OW * C, 2));
  });
  afterAll(() => pool.terminate());

  const geometry = [H, W, CIN, OH, OW, C, K, K, 0, 0];
  /** The filter gradient split over `on`'s threads (per-image partials summed), as bits. */
  function pooled(on: SimdPool = pool): Uint32Array {
    new Float32Array(memory.buffer, PARTS, B * N).fill(0);
    on.run('filterGrad', B, [
      [X, H * W * CIN * F32, 0],
      [DY, OH * OW * C * F32, 0],
      [PARTS, N * F32, 0],
      [SCRATCH, 0, PADDED],
      1,
      ...geometry,
    ]);
    k.sumRows(PARTS, DW2, B, N);
    return new Uint32Array(memory.buffer.slice(DW2, DW2 + N * F32));
  }

  it('splits a batch with the helper and gives the bits of one thread', () => {
    expect(pool.threads).toBe(2);
    expect(pool.stats().ready).toBe(1);
    new Float32Array(memory.buffer, DW1, N).fill(0);
    k.filterGrad(X, DY, DW1, SCRATCH, B, ...geometry);
    const one = new Uint32Array(memory.buffer.slice(DW1, DW1 + N * F32));
    const before = pool.stats().helperTasks;
    let helped = 0;
    for (let i = 0; i < 20 && helped === 0; i++) {
      expect(pooled()).toEqual(one);
      helped = pool.stats().helperTasks - before;
    }
    expect(helped).toBeGreaterThan(0);
    expect(new Float32Array(one.buffer).some((v) => v !== 0)).toBe(true);
  });

  it('reports a failing task on the calling thread, then keeps working', () => {
    const outside = memory.buffer.byteLength; // every access traps
    expect(() =>
      pool.run('filterGrad', 8, [[outside, 0, 0], outside, outside, outside, 1, ...geometry]),
    ).toThrow();
    const again = pooled();
    new Float32Array(memory.buffer, DW1, N).fill(0);
    k.filterGrad(X, DY, DW1, SCRATCH, B, ...geometry);
    expect(again).toEqual(new Uint32Array(memory.buffer.slice(DW1, DW1 + N * F32)));
  });

  it('splits the forward convolution and the 2×2 pooling by images with the bits of one call', () => {
    // conv2 forward on x: w8 (filter padded to 16 channels: C already is), bias, ReLU
    const rows = K * K * CIN;
    const w8 = SCRATCH + 2 * PADDED;
    const bias = w8 + rows * C * F32;
    const y1 = bias + C * F32;
    const y2 = y1 + B * OH * OW * C * F32;
    const xp = y2 + B * OH * OW * C * F32; // two threads' padded images
    new Float32Array(memory.buffer, w8, rows * C).set(normals(rows * C, 11));
    new Float32Array(memory.buffer, bias, C).set(normals(C, 12));
    const g = [H, W, CIN, OH, OW, C, K, K, 0, 0, 1, 1, 1];
    k.conv2d(X, w8, bias, y1, xp, B, ...g);
    new Float32Array(memory.buffer, y2, B * OH * OW * C).fill(NaN);
    pool.run('conv2d', B, [
      [X, H * W * CIN * F32, 0],
      w8,
      bias,
      [y2, OH * OW * C * F32, 0],
      [xp, 0, PADDED],
      1,
      ...g,
    ]);
    const bytes = B * OH * OW * C * F32;
    expect(new Uint32Array(memory.buffer.slice(y2, y2 + bytes))).toEqual(
      new Uint32Array(memory.buffer.slice(y1, y1 + bytes)),
    );
    // the pooling of that output (10×10 tiles 2×2) and its gradient (dy: DY's first floats)
    const p1 = xp + 2 * PADDED;
    const p2 = p1 + bytes;
    k.pool2x2(y1, p1, B, OH, OW, C);
    pool.run('pool2x2', B, [
      [y1, OH * OW * C * F32, 0],
      [p2, (OH * OW * C * F32) >> 2, 0],
      1,
      OH,
      OW,
      C,
    ]);
    expect(new Uint32Array(memory.buffer.slice(p2, p2 + (bytes >> 2)))).toEqual(
      new Uint32Array(memory.buffer.slice(p1, p1 + (bytes >> 2))),
    );
    k.pool2x2Grad(y1, DY, p1, B, OH, OW, C);
    pool.run('pool2x2Grad', B, [
      [y1, OH * OW * C * F32, 0],
      [DY, (OH * OW * C * F32) >> 2, 0],
      [p2, OH * OW * C * F32, 0],
      1,
      OH,
      OW,
      C,
    ]);
    expect(new Uint32Array(memory.buffer.slice(p2, p2 + bytes))).toEqual(
      new Uint32Array(memory.buffer.slice(p1, p1 + bytes)),
    );
  });

  it('with a helper that never starts, says so and runs every task on the calling thread', async () => {
    const silent = { postMessage: () => undefined, terminate: () => undefined };
    const lone = new SimdPool(k as unknown as Record<string, unknown>, {}, memory, () => silent, 1);
    expect(lone.threads).toBe(2);
    expect(await lone.whenReady(30)).toBe(false);
    new Float32Array(memory.buffer, DW1, N).fill(0);
    k.filterGrad(X, DY, DW1, SCRATCH, B, ...geometry);
    const one = new Uint32Array(memory.buffer.slice(DW1, DW1 + N * F32));
    expect(pooled(lone)).toEqual(one);
    expect(lone.stats()).toEqual({ ready: 0, helperTasks: 0 });
    lone.terminate();
  });

  it('stops the helpers it started when a later one cannot start, and says why', () => {
    const started: string[] = [];
    let calls = 0;
    const spawn = () => {
      if (++calls === 2) throw new Error('worker-src blocked');
      return {
        postMessage: () => started.push('init'),
        terminate: () => started.push('terminated'),
      };
    };
    expect(
      () => new SimdPool(k as unknown as Record<string, unknown>, {}, memory, spawn, 2),
    ).toThrow(/worker-src blocked/);
    expect(started).toEqual(['init', 'terminated']);
  });

  it('runs more tasks than its counter holds on the calling thread, and rejects too many arguments', () => {
    const before = pool.stats().helperTasks;
    // 70,000 tasks of zero images each: nothing to compute, nothing claimed by the helper
    pool.run('filterGrad', 70_000, [X, DY, DW1, SCRATCH, 0, ...geometry]);
    expect(pool.stats().helperTasks).toBe(before);
    expect(() => pool.run('filterGrad', 1, Array<number>(21).fill(0))).toThrow(/arguments/);
  });

  it('splits a product by rows (either layout of A, bias, ReLU, packed panels or not) with the bits of one call', () => {
    const [m, kk, n] = [70, 33, 21]; // rows past the last whole block, columns past 8-lane tiles
    const A = SCRATCH + 2 * PADDED;
    const Bm = A + m * kk * F32;
    const bias = Bm + kk * n * F32;
    const c1 = bias + n * F32;
    const c2 = c1 + m * n * F32;
    new Float32Array(memory.buffer, A, m * kk).set(normals(m * kk, 3));
    new Float32Array(memory.buffer, Bm, kk * n).set(normals(kk * n, 4));
    new Float32Array(memory.buffer, bias, n).set(normals(n, 5));
    const panels = c2 + m * n * F32; // one packed panel per thread (kk·8 floats)
    for (const transA of [0, 1])
      for (const relu of [0, 1])
        for (const panel of [0, 1]) {
          k.gemm(A, Bm, c1, bias, 0, m, kk, n, transA, 0, relu, 0);
          new Float32Array(memory.buffer, c2, m * n).fill(NaN);
          pool.run('gemmRows', Math.ceil(m / 16), [
            A,
            Bm,
            c2,
            bias,
            panel ? [panels, 0, kk * 8 * F32] : 0,
            [0, 16, 0],
            16,
            m,
            kk,
            n,
            transA,
            relu,
          ]);
          const one = new Uint32Array(memory.buffer.slice(c1, c1 + m * n * F32));
          expect(new Uint32Array(memory.buffer.slice(c2, c2 + m * n * F32))).toEqual(one);
        }
  });
});
