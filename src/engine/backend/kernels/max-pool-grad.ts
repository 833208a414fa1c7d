/**
 * `MaxPoolGrad` for the WASM backend, replacing tfjs-backend-wasm 4.22's own.
 *
 * Why: the shipped kernel (C++ `NDHWCPool3DGradImpl`) is a plain gather loop, ~14 ms of a ~45 ms
 * LeNet training step at batch 64 (docs/backends.md), and it disagrees with every other backend:
 * its running maximum starts at `FLT_MIN` (the smallest positive float) instead of −∞, so a window
 * whose values are all ≤ 0 routes its gradient to no element of the window, and on ties it picks
 * the last maximum where the CPU backend (and TensorFlow) pick the first.
 *
 * Method (the max-pooling gradient routes each output gradient to the arg-max of its window; Boureau
 * et al. 2010, "A theoretical analysis of feature pooling in visual recognition", ICML): one pass
 * over the windows in (b, row, col) order finds each channel's arg-max, scanning the window row by
 * row and keeping the FIRST strictly greater value (initial −∞, NaN never wins; a window without a
 * comparable value routes nothing), exactly tfjs-backend-cpu's `maxPoolPositions`, and adds
 * dy[b, row, col, c] to dx at that position. Where windows overlap (stride < filter) the sums are
 * kept in float64 in window order and rounded to float32 once, so dx equals the CPU backend's
 * bit for bit. The loops read and write the WASM heap in place (no copies to JavaScript arrays).
 *
 * Where 2×2 windows with stride 2 tile the input (every LeNet pool) and our WebAssembly SIMD code
 * is attached to the backend (../simd/runtime.ts), the same rule runs there (`pool2x2Grad` in
 * wasm/kernels.ts, four channels at a time; bit for bit this file's loop, tested): ~0.7 → ~0.1 ms
 * for LeNet's pool1 at batch 64, on every backward pass of every attack step.
 *
 * Shapes: x `[B, H, W, C]`, dy `[B, oh, ow, C]` (NHWC), dx `[B, H, W, C]`; filter, strides,
 * padding ('valid' | 'same' | number | explicit) and `dimRoundingMode` as tfjs's `maxPool`;
 * float32. Other dtypes fall back to the original kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import type {
  KernelConfig,
  KernelFunc,
  MaxPoolGradAttrs,
  TensorInfo,
  backend_util,
} from '@tensorflow/tfjs-core';
import { simdKernels } from '../simd/runtime';
import { WASM, WasmKernelError, assertRank4, assertSameShape } from './compose';

const NAME = 'MaxPoolGrad';

/** The parts of tfjs-backend-wasm's BackendWasm this kernel uses. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
}

/**
 * dx `[B, H, W, C]` of max pooling with geometry `p`: x and dy are read, dx (zero-filled here) is
 * written; `acc` (length of dx, or null when windows do not overlap) accumulates in float64.
 */
export function maxPoolGradInto(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  p: backend_util.Conv2DInfo,
): void {
  const { batchSize: nb, inHeight: h, inWidth: w, inChannels: c } = p;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = p;
  const fh = p.effectiveFilterHeight;
  const fw = p.effectiveFilterWidth;
  if (tiles2x2(p)) return pool2x2GradInto(x, dy, dx, p);
  const overlap = sh < fh || sw < fw;
  const acc = overlap ? new Float64Array(dx.length) : null;
  dx.fill(0);
  let o = 0; // offset of dy[b, yr, yc, 0]
  for (let b = 0; b < nb; b++) {
    const base = b * h * w * c;
    for (let yr = 0; yr < oh; yr++) {
      const r0 = yr * sh - p.padInfo.top;
      const rMin = Math.max(0, r0);
      const rMax = Math.min(h, r0 + fh);
      for (let yc = 0; yc < ow; yc++, o += c) {
        const c0 = yc * sw - p.padInfo.left;
        const cMin = Math.max(0, c0);
        const cMax = Math.min(w, c0 + fw);
        for (let d = 0; d < c; d++) {
          let best = -Infinity;
          let at = -1;
          for (let r = rMin; r < rMax; r++) {
            for (let i = base + (r * w + cMin) * c + d, e = i + (cMax - cMin) * c; i < e; i += c) {
              if (x[i] > best) {
                best = x[i];
                at = i;
              }
            }
          }
          if (at < 0) continue;
          if (acc) acc[at] += dy[o + d];
          else dx[at] = dy[o + d];
        }
      }
    }
  }
  if (acc) dx.set(acc);
}

/** 2×2 windows with stride 2 tiling the input exactly, no padding. */
export function tiles2x2(p: backend_util.Conv2DInfo): boolean {
  return (
    p.effectiveFilterHeight === 2 &&
    p.effectiveFilterWidth === 2 &&
    p.strideHeight === 2 &&
    p.strideWidth === 2 &&
    p.outHeight * 2 === p.inHeight &&
    p.outWidth * 2 === p.inWidth &&
    p.padInfo.top === 0 &&
    p.padInfo.left === 0
  );
}

/**
 * The common case (2×2 windows, stride 2, tiling the input exactly, no padding): each window's
 * four dx entries are written directly, the routed one = dy and the others 0 (no fill pass, no
 * window bounds). The same rule as the general loop: the first strictly greater value from −∞,
 * row by row, NaN never wins, a window without a comparable value routes nothing.
 *
 * Branch-free: which of the four wins is data-dependent and unpredictable (half the inputs of a
 * pool after ReLU are 0), so the winner flags are computed with comparisons combined by `&`, and
 * dy's bits are copied through an all-ones or all-zeros mask on Int32 views of dy and dx (exact
 * for −0, ±∞ and NaN gradients, which a multiply would change). 2× faster than the branching
 * loop on the LeNet pool shapes (bench/pool-grad.ts).
 */
function pool2x2GradInto(
  x: Float32Array,
  dyF: Float32Array,
  dxF: Float32Array,
  p: backend_util.Conv2DInfo,
): void {
  const { batchSize: nb, inHeight: h, inWidth: w, inChannels: c } = p;
  const dy = new Int32Array(dyF.buffer, dyF.byteOffset, dyF.length); // dy's bits
  const dx = new Int32Array(dxF.buffer, dxF.byteOffset, dxF.length); // dx's bits
  const row = w * c; // offset of the next input row
  const oh = h >> 1;
  const ow = w >> 1;
  let o = 0; // offset of dy[b, yr, yc, d]
  for (let b = 0; b < nb; b++) {
    for (let yr = 0; yr < oh; yr++) {
      const rowBase = (b * h + 2 * yr) * row;
      for (let yc = 0; yc < ow; yc++) {
        const i0 = rowBase + 2 * yc * c;
        for (let d = 0; d < c; d++, o++) {
          const i00 = i0 + d;
          const i01 = i00 + c;
          const i10 = i00 + row;
          const i11 = i10 + c;
          // NaN never wins: read it as −∞ (these branches are almost never taken)
          let v0 = x[i00];
          let v1 = x[i01];
          let v2 = x[i10];
          let v3 = x[i11];
          if (!(v0 > -Infinity)) v0 = -Infinity;
          if (!(v1 > -Infinity)) v1 = -Infinity;
          if (!(v2 > -Infinity)) v2 = -Infinity;
          if (!(v3 > -Infinity)) v3 = -Infinity;
          // first strictly greater from −∞: a later entry must beat every earlier one strictly
          const w0 = +(v0 > -Infinity) & +(v0 >= v1) & +(v0 >= v2) & +(v0 >= v3);
          const w1 = +(v1 > v0) & +(v1 >= v2) & +(v1 >= v3);
          const w2 = +(v2 > v0) & +(v2 > v1) & +(v2 >= v3);
          const w3 = +(v3 > v0) & +(v3 > v1) & +(v3 > v2);
          const g = dy[o];
          dx[i00] = -w0 & g;
          dx[i01] = -w1 & g;
          dx[i10] = -w2 & g;
          dx[i11] = -w3 & g;
        }
      }
    }
  }
}

function fastMaxPoolGrad(original: KernelFunc): KernelFunc {
  return (args) => {
    const { dy, input } = args.inputs as { dy?: TensorInfo; input?: TensorInfo };
    if (dy === undefined || input === undefined)
      throw new WasmKernelError(NAME, 'needs inputs dy and input');
    if (dy.dtype !== 'float32' || input.dtype !== 'float32') return original(args);
    const a = args.attrs as unknown as MaxPoolGradAttrs;
    assertRank4(NAME, 'input', input.shape);
    assertRank4(NAME, 'dy', dy.shape);
    let p: backend_util.Conv2DInfo;
    try {
      p = tf.backend_util.computePool2DInfo(
        input.shape as [number, number, number, number],
        a.filterSize,
        a.strides,
        1,
        a.pad,
        a.dimRoundingMode,
      );
    } catch (e) {
      throw new WasmKernelError(NAME, `bad pooling attributes: ${String(e)}`);
    }
    assertSameShape(NAME, 'dy', dy.shape, p.outShape);
    const backend = args.backend as unknown as WasmHeapBackend;
    const out = backend.makeOutput([...input.shape], 'float32'); // [B, H, W, C]
    const k = simdKernels(args.backend);
    if (k !== undefined && tiles2x2(p)) {
      // the same rule in WebAssembly SIMD (wasm/kernels.ts), in place on the heap
      const [b, h, w, c] = input.shape;
      if (k.pool !== undefined && b > 1) {
        const img = h * w * c * 4; // bytes of one image of x and dx
        k.pool.run('pool2x2Grad', b, [
          [k.offset(input), img, 0],
          [k.offset(dy), img / 4, 0],
          [k.offset(out), img, 0],
          1,
          h,
          w,
          c,
        ]);
      } else k.exports.pool2x2Grad(k.offset(input), k.offset(dy), k.offset(out), b, h, w, c);
      return out;
    }
    // views after the allocation (a heap growth detaches earlier views)
    const x = backend.typedArrayFromHeap(input);
    const g = backend.typedArrayFromHeap(dy);
    const dx = backend.typedArrayFromHeap(out);
    maxPoolGradInto(x, g, dx, p);
    return out;
  };
}

/** Builder of the replacement from the original WASM `MaxPoolGrad` config. */
export function fastMaxPoolGradConfig(original: KernelConfig): KernelConfig {
  return { ...original, backendName: WASM, kernelFunc: fastMaxPoolGrad(original.kernelFunc) };
}
