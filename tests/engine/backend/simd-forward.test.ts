/**
 * Our forward kernels on WASM (wasm/kernels.ts `conv2d` and `pool2x2`,
 * src/engine/backend/kernels/simd-overrides.ts) against the CPU backend:
 * - `Conv2D` and `FusedConv2D` (bias; linear or ReLU): a grid of input channels (one and several),
 *   output channels across the 8-lane tiles, output widths across the 4-pixel tiles, kernel sizes,
 *   strides 1-3 and paddings ('same', 'valid', a number, explicit); NaN and ∞ in the input land
 *   where the CPU backend puts them; what it does not take (dilation, other activations, a PReLU's
 *   weights) runs the kernel it wraps; no tensors or buffers leak.
 * - `MaxPool` with 2×2 windows and stride 2 tiling the input: bit for bit the CPU backend, with
 *   NaN, ±∞, ±0 and ties (from −∞ the first strictly greater value; NaN never wins, the rule our
 *   MaxPoolGrad routes by); other windows run tfjs's kernel; no leaks.
 * Split over helper threads: tests/node/simd-helpers.test.ts and wasm-threads.test.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SimdKernels } from '@/engine/backend/simd/runtime';
import {
  attachedSimdKernels,
  caseMismatches,
  memoryCounts,
  normals,
  onBackend,
  relErr,
  size,
  take,
  type Pad,
} from './helpers';

interface ConvCase {
  x: [number, number, number, number]; // [B, H, W, Cin]
  k: [number, number];
  cout: number;
  stride: number;
  pad: Pad;
  /** fused with a bias and this activation; plain conv2d when absent */
  act?: 'linear' | 'relu';
  dilation?: number;
}

const WIDTHS = [1, 3, 4, 5, 7, 9, 16, 17, 28];
const GRID: ConvCase[] = [];
let n = 0;
for (const cin of [1, 2, 3, 5, 6, 16])
  for (const [kh, kw] of [
    [1, 1],
    [3, 3],
    [5, 5],
    [2, 4],
  ]) {
    const stride = [1, 2, 1, 3][n % 4];
    const pad = (['same', 'valid', 2, 'same'] as const)[n % 4];
    const extra = pad === 'valid' ? 1 : 0;
    GRID.push({
      x: [
        [1, 2, 3][n % 3],
        [5, 8, 11][n % 3] + extra * (kh - 1),
        WIDTHS[n % WIDTHS.length] * stride + extra * (kw - 1),
        cin,
      ],
      k: [kh, kw],
      cout: [1, 5, 6, 8, 9, 16, 17][n % 7],
      stride,
      pad,
      act: (['relu', 'linear', undefined] as const)[n % 3],
    });
    n++;
  }
GRID.push(
  { x: [3, 28, 28, 1], k: [5, 5], cout: 6, stride: 1, pad: 'same', act: 'relu' }, // LeNet conv1
  { x: [3, 14, 14, 6], k: [5, 5], cout: 16, stride: 1, pad: 'valid', act: 'relu' }, // conv2
  {
    x: [2, 7, 9, 3],
    k: [3, 5],
    cout: 10,
    stride: 2,
    pad: [
      [0, 0],
      [0, 2],
      [3, 1],
      [0, 0],
    ],
    act: 'linear',
  },
);
/** Cases ours does not take: the kernel it wraps runs. */
const FALLBACK: ConvCase[] = [
  { x: [2, 9, 9, 2], k: [3, 3], cout: 4, stride: 1, pad: 'same', dilation: 2 },
  { x: [2, 9, 9, 2], k: [3, 3], cout: 4, stride: 1, pad: 'same', act: 'linear', dilation: 2 },
];

function operands(c: ConvCase, s: number) {
  const x = tf.tensor4d(normals(size(c.x), s), c.x);
  const fShape: [number, number, number, number] = [c.k[0], c.k[1], c.x[3], c.cout];
  const w = tf.tensor4d(normals(size(fShape), s + 1), fShape);
  const bias = tf.tensor1d(normals(c.cout, s + 2));
  return { x, w, bias };
}

function conv(c: ConvCase, x: tf.Tensor4D, w: tf.Tensor4D, bias: tf.Tensor1D): tf.Tensor {
  const d = c.dilation ?? 1;
  return c.act === undefined
    ? tf.conv2d(x, w, c.stride, c.pad, 'NHWC', d)
    : tf.fused.conv2d({
        x,
        filter: w,
        bias,
        strides: c.stride,
        pad: c.pad,
        dilations: d,
        activation: c.act,
      });
}

/** Each case's output (seeded data); `poison` puts NaN and ∞ into the input. */
async function outputs(cases: ConvCase[], poison = false): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const [i, c] of cases.entries()) {
    const { x, w, bias } = operands(c, 10 * i);
    let x2 = x;
    if (poison) {
      const v = Float32Array.from(await x.data());
      v[Math.floor(v.length / 3)] = NaN;
      v[Math.floor((2 * v.length) / 3)] = Infinity;
      x2 = tf.tensor4d(v, c.x);
      x.dispose();
    }
    out.push(await take(conv(c, x2, w, bias)));
    tf.dispose([x2, w, bias]);
  }
  return out;
}

let k: SimdKernels;

beforeAll(async () => {
  k = await attachedSimdKernels();
});
afterEach(() => vi.restoreAllMocks());

describe('our forward convolution (Conv2D, FusedConv2D) on WASM', () => {
  it('matches the CPU backend on the grid within 1e-5 relative, on our code', async () => {
    const spy = vi.spyOn(k.exports, 'conv2d');
    const ours = await outputs(GRID);
    expect(spy).toHaveBeenCalledTimes(GRID.length);
    spy.mockRestore();
    const cpu = await onBackend('cpu', () => outputs(GRID));
    expect(caseMismatches(GRID, ours, cpu, 1e-5)).toEqual([]);
  });

  it('puts NaN and ∞ results where the CPU backend does', async () => {
    const cases = GRID.filter((_, i) => i % 4 === 0);
    const ours = await outputs(cases, true);
    const cpu = await onBackend('cpu', () => outputs(cases, true));
    const kind = (a: Float32Array) =>
      Array.from(a, (v) =>
        Number.isNaN(v) ? 'n' : v === Infinity ? '+' : v === -Infinity ? '-' : 'f',
      );
    const finite = (a: Float32Array) => a.map((v) => (Number.isFinite(v) ? v : 0));
    let specials = 0;
    for (let i = 0; i < ours.length; i++) {
      expect(kind(ours[i])).toEqual(kind(cpu[i]));
      specials += kind(cpu[i]).filter((s) => s !== 'f').length;
      expect(relErr(finite(ours[i]), finite(cpu[i]))).toBeLessThanOrEqual(1e-5);
    }
    expect(specials).toBeGreaterThan(0);
  });

  it('leaves dilations and other activations to the kernel it wraps, which matches the CPU', async () => {
    const spy = vi.spyOn(k.exports, 'conv2d');
    const ours = await outputs(FALLBACK);
    const { x, w, bias } = operands(GRID[5], 7);
    const leakyConv = () =>
      tf.fused.conv2d({
        x,
        filter: w,
        bias,
        strides: 1,
        pad: 'same',
        activation: 'leakyrelu',
        leakyreluAlpha: 0.1,
      });
    const leaky = leakyConv();
    const leakyOurs = await take(leaky);
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
    const cpu = await onBackend('cpu', () => outputs(FALLBACK));
    expect(caseMismatches(FALLBACK, ours, cpu, 1e-4)).toEqual([]);
    const leakyCpu = await onBackend('cpu', () => take(leakyConv()));
    expect(relErr(leakyOurs, leakyCpu)).toBeLessThanOrEqual(1e-4);
    tf.dispose([x, w, bias]);
  });

  it('leaks no tensors or buffers over repeated calls', async () => {
    const few = [...GRID.slice(-3), ...FALLBACK];
    await outputs(few);
    const before = memoryCounts();
    for (let i = 0; i < 3; i++) await outputs(few);
    expect(memoryCounts()).toEqual(before);
  });
});

describe('our 2×2 max pooling (MaxPool) on WASM', () => {
  const SPECIAL = [NaN, -Infinity, Infinity, -0, 0, 1, 1, -1];
  /** x with a special value at about a third of the entries (ties and ±0 included) */
  function pooled(shape: [number, number, number, number], seed: number): tf.Tensor4D {
    const v = normals(size(shape), seed).map((z, i) =>
      (i * 7 + seed) % 3 === 0 ? SPECIAL[(i + seed) % SPECIAL.length] : z,
    );
    return tf.tensor4d(v, shape);
  }
  const SHAPES: [number, number, number, number][] = [
    [1, 2, 2, 1],
    [2, 4, 6, 3],
    [3, 6, 4, 4],
    [2, 8, 8, 5],
    [1, 28, 28, 6],
    [2, 10, 10, 16],
    [1, 4, 4, 9],
  ];
  const run = async (f: (x: tf.Tensor4D) => tf.Tensor) => {
    const out: Uint32Array[] = [];
    for (const [i, s] of SHAPES.entries()) {
      const x = pooled(s, i + 1);
      out.push(new Uint32Array((await take(f(x))).buffer));
      x.dispose();
    }
    return out;
  };

  it('is bit for bit the CPU backend with NaN, ±∞, ±0 and ties, on our code', async () => {
    const spy = vi.spyOn(k.exports, 'pool2x2');
    const ours = await run((x) => tf.maxPool(x, 2, 2, 'valid'));
    expect(spy).toHaveBeenCalledTimes(SHAPES.length);
    spy.mockRestore();
    const cpu = await onBackend('cpu', () => run((x) => tf.maxPool(x, 2, 2, 'valid')));
    for (let i = 0; i < SHAPES.length; i++) expect(ours[i]).toEqual(cpu[i]);
    // a window of NaNs gives −∞; one with NaN first still its largest other value
    const y = await take(
      tf.maxPool(tf.tensor4d([NaN, NaN, NaN, 1, NaN, 2, NaN, 3], [1, 2, 2, 2]), 2, 2, 'valid'),
    );
    expect(Array.from(y)).toEqual([-Infinity, 3]);
  });

  it('leaves other windows to tfjs, and leaks nothing', async () => {
    const spy = vi.spyOn(k.exports, 'pool2x2');
    const x = tf.tensor4d(normals(2 * 9 * 9 * 3, 4), [2, 9, 9, 3]);
    const other = [
      await take(tf.maxPool(x, 3, 2, 'valid')),
      await take(tf.maxPool(x, 2, 2, 'same')),
      await take(tf.maxPool(x, 2, 1, 'valid')),
    ];
    expect(spy).not.toHaveBeenCalled();
    const cpu = await onBackend('cpu', async () => [
      await take(tf.maxPool(x, 3, 2, 'valid')),
      await take(tf.maxPool(x, 2, 2, 'same')),
      await take(tf.maxPool(x, 2, 1, 'valid')),
    ]);
    for (let i = 0; i < other.length; i++) expect(other[i]).toEqual(cpu[i]);
    x.dispose();
    await run((t) => tf.maxPool(t, 2, 2, 'valid'));
    const before = memoryCounts();
    for (let i = 0; i < 3; i++) await run((t) => tf.maxPool(t, 2, 2, 'valid'));
    expect(memoryCounts()).toEqual(before);
  });
});
