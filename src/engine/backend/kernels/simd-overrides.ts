/**
 * Kernels of a conv net's step on our own WebAssembly SIMD code (wasm/kernels.ts,
 * ../simd/runtime.ts), for the WASM backend. Measured alone, LeNet at batch 64, tfjs's → ours:
 *
 * | kernel               | LeNet layer            | how                                           |
 * |----------------------|------------------------|-----------------------------------------------|
 * | Conv2DBackpropInput  | conv1: 1.4 → 0.9-1.1   | one input channel: dot products over dy's rows|
 * |                      | conv2: 1.69 → 1.60 ms  | product dy·Wᵀ per image, then a scatter       |
 * | Conv2DBackpropFilter | conv1: 2.6 → 0.85 ms   | implicit product over the pixels, 5×8 tiles   |
 * |                      | conv2: 1.32 → 1.17 ms  |                                               |
 * | Conv2D, FusedConv2D  | conv1: 1.18 → 1.05 ms  | implicit product over the filter entries,     |
 * |                      | conv2: 0.88 → 0.96 ms  | 4 pixels × 8 channels                         |
 * | MaxPool (2×2, /2)    | pool1: 0.12 → 0.09 ms  | the CPU backend's rule, 4 channels at a time  |
 *
 * (forward rows on one thread each; on two, XNNPACK's pool against our helper: conv1 0.60 → 0.55,
 * conv2 0.45 → 0.52, pool1 0.06-0.08 → 0.06 ms; median of 300 calls, 2026-12-07; a 6-pixel tile
 * was slower, conv2 0.98 → 1.23 ms)
 *
 * Backward kernels: NHWC, stride 1, dilation 1; the forward convolution any stride, dilation 1,
 * bias with linear or ReLU; float32; with the kernels attached to this backend
 * (`attachSimdKernels`, which initBackend calls); elsewhere the kernel they wrap runs
 * (./fast-overrides.ts, ./conv2d-backprop-filter.ts, tfjs's). tfjs's input gradient of a
 * one-channel input fills one of XNNPACK's lanes, its filter gradient re-packs dy as an XNNPACK
 * "filter" on every call. Our forward convolution is not faster than XNNPACK's (conv2's is
 * slower), but it runs on our threads: with our helpers, XNNPACK's pool gets one thread
 * (initBackend's `xnnpackThreads`; two pools on two cores made a quarter of the steps ~60% slower,
 * docs/benchmarks.md), and ours on two then beats XNNPACK on one. Method and shapes: wasm/kernels.ts
 * (Dumoulin and Visin 2016, arXiv 1603.07285): dy `[B, oh, ow, Cout]`, filter `[kh, kw, Cin,
 * Cout]`, x and dx `[B, H, W, Cin]`.
 *
 * Also here: `Sum` over every axis but the last (bias gradients) in one pass, the ReLU gradient as
 * one kernel, and the matrix products (`BatchMatMul`, `_FusedMatMul` with bias and linear/ReLU) on
 * our GEMM, every size (XNNPACK builds an operator for every new right-hand operand; long sum axes
 * copy B's column blocks into packed panels first). In a LeNet standard step at batch 64 the dense
 * layers' nine products took ~2.5 ms with XNNPACK's and take ~0.9 ms with ours on one thread.
 * With helper threads, the kernels over a batch split it: images (convolutions, pooling) or rows
 * (products from POOL_MIN_MACS), bit for bit one thread's results.
 *
 * Results equal tfjs's kernels up to float32 rounding (the sums run in another order);
 * tests/engine/backend/simd-kernels.test.ts, simd-forward.test.ts and simd-matmul.test.ts compare
 * them with the CPU backend. (tfjs 4.22's own `_FusedMatMul` with a transposed B is wrong on WASM,
 * off by units on 16×100×8, measured; ours is right.)
 */
import { backend_util, util } from '@tensorflow/tfjs-core';
import type {
  MaxPoolAttrs,
  SumAttrs,
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { simdKernels, type SimdKernels } from '../simd/runtime';
import { WASM, assertSameShape, composed, pair } from './compose';
import { convGeometry } from './conv-geometry';
import { tiles2x2 } from './max-pool-grad';

const F32 = 4;
/** the most scratch the filter gradient takes for per-image partial sums (else one thread) */
const MAX_PARTIAL_BYTES = 32 << 20;
const BPI = 'Conv2DBackpropInput';
const BPF = 'Conv2DBackpropFilter';

/** NHWC, stride 1, rank-4 float32 operands. */
function plainConv(
  dataFormat: string | undefined,
  strides: number | [number, number],
  ...tensors: TensorInfo[]
): boolean {
  const [sh, sw] = pair(strides);
  return (
    dataFormat !== 'NCHW' &&
    sh === 1 &&
    sw === 1 &&
    tensors.every((t) => t.dtype === 'float32' && t.shape.length === 4)
  );
}

/** The input gradient with several input channels: a product and a scatter (wasm `inputGradCols`). */
function inputGradCols(
  k: SimdKernels,
  dy: TensorInfo,
  filter: TensorInfo,
  dx: TensorInfo,
  ci: backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize: b, inHeight: h, inWidth: wd, inChannels: cin } = ci;
  const { outHeight: oh, outWidth: ow, outChannels: c, filterHeight: kh, filterWidth: kw } = ci;
  const kk = kh * kw * cin;
  const colBytes = oh * ow * kk * F32; // one image's cols, per thread
  const threads = k.pool !== undefined && b > 1 ? k.pool.threads : 1;
  const [scratch, free] = k.alloc(kk * c * F32 + threads * colBytes); // Wᵀ, cols
  try {
    const { top, left } = ci.padInfo;
    k.exports.transposeInto(k.offset(filter), scratch, kk, c);
    const cols = scratch + kk * c * F32;
    const geometry = [h, wd, cin, oh, ow, c, kh, kw, top, left];
    if (threads > 1 && k.pool !== undefined) {
      k.pool.run('inputGradCols', b, [
        [k.offset(dy), oh * ow * c * F32, 0],
        scratch,
        [k.offset(dx), h * wd * cin * F32, 0],
        [cols, 0, colBytes],
        1,
        ...geometry,
      ]);
    } else {
      k.exports.inputGradCols(k.offset(dy), scratch, k.offset(dx), cols, b, ...geometry);
    }
  } finally {
    free();
  }
  return dx;
}

function simdInputGrad(original: KernelFunc): KernelFunc {
  return (args) => {
    const k = simdKernels(args.backend);
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = args.attrs as unknown as Conv2DBackpropInputAttrs;
    if (k === undefined || !plainConv(a.dataFormat, a.strides, dy, filter)) return original(args);
    const ci = convGeometry(BPI, a.inputShape, filter.shape, a.strides, a.pad, a.dimRoundingMode);
    assertSameShape(BPI, 'dy', dy.shape, ci.outShape);
    const { batchSize: b, inHeight: h, inWidth: wd, inChannels: cin } = ci;
    const { outHeight: oh, outWidth: ow, outChannels: c, filterHeight: kh, filterWidth: kw } = ci;
    const dx = k.backend.makeOutput([b, h, wd, cin], 'float32'); // [B, H, W, Cin]
    if (b * h * wd * cin === 0) return dx;
    if (oh * ow * c * kh * kw === 0) {
      new Float32Array(k.memory.buffer, k.offset(dx), b * h * wd * cin).fill(0);
      return dx;
    }
    if (cin > 1) return inputGradCols(k, dy, filter, dx, ci);
    const flipped = kh * (((kw * c + 3) & ~3) * F32); // wf [kh][1][roundup4(kw·c)]
    const padded = (oh * (ow + 2 * kw + 2) * c + 4) * F32; // one image of dy, zero-padded
    const threads = k.pool !== undefined && b > 1 ? k.pool.threads : 1;
    const [scratch, free] = k.alloc(flipped + threads * padded);
    try {
      k.exports.flipFilter(k.offset(filter), scratch, kh, kw, 1, c);
      const { top, left } = ci.padInfo;
      const geometry = [h, wd, 1, oh, ow, c, kh, kw, top, left];
      if (threads > 1 && k.pool !== undefined) {
        k.pool.run('inputGrad', b, [
          [k.offset(dy), oh * ow * c * F32, 0],
          scratch,
          [k.offset(dx), h * wd * F32, 0],
          [scratch + flipped, 0, padded],
          1,
          ...geometry,
        ]);
      } else {
        k.exports.inputGrad(k.offset(dy), scratch, k.offset(dx), scratch + flipped, b, ...geometry);
      }
    } finally {
      free();
    }
    return dx;
  };
}

function simdFilterGrad(original: KernelFunc): KernelFunc {
  return (args) => {
    const k = simdKernels(args.backend);
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const a = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    if (k === undefined || !plainConv(a.dataFormat, a.strides, x, dy)) return original(args);
    const ci = convGeometry(BPF, x.shape, a.filterShape, a.strides, a.pad, a.dimRoundingMode);
    assertSameShape(BPF, 'dy', dy.shape, ci.outShape);
    const { batchSize: b, inHeight: h, inWidth: wd, inChannels: cin } = ci;
    const { outHeight: oh, outWidth: ow, outChannels: c, filterHeight: kh, filterWidth: kw } = ci;
    const dw = k.backend.makeOutput([kh, kw, cin, c], 'float32'); // [kh, kw, Cin, Cout]
    const n = kh * kw * cin * c;
    if (n === 0) return dw;
    new Float32Array(k.memory.buffer, k.offset(dw), n).fill(0);
    if (b * oh * ow === 0) return dw;
    const padded = (oh + kh - 1) * (ow + kw - 1) * cin * F32; // one padded image
    // with helpers: each image's dW on its own, then summed in image order (the order one thread
    // adds them in, so the same bits on any number of threads)
    const parallel = k.pool !== undefined && b > 1 && b * n * F32 <= MAX_PARTIAL_BYTES;
    const threads = parallel && k.pool !== undefined ? k.pool.threads : 1;
    const [scratch, free] = k.alloc(threads * padded + (parallel ? b * n * F32 : 0));
    try {
      const { top, left } = ci.padInfo;
      const geometry = [h, wd, cin, oh, ow, c, kh, kw, top, left];
      if (parallel && k.pool !== undefined) {
        const partials = scratch + threads * padded; // [B][n]
        new Float32Array(k.memory.buffer, partials, b * n).fill(0);
        k.pool.run('filterGrad', b, [
          [k.offset(x), h * wd * cin * F32, 0],
          [k.offset(dy), oh * ow * c * F32, 0],
          [partials, n * F32, 0],
          [scratch, 0, padded],
          1,
          ...geometry,
        ]);
        k.exports.sumRows(partials, k.offset(dw), b, n);
      } else {
        k.exports.filterGrad(k.offset(x), k.offset(dy), k.offset(dw), scratch, b, ...geometry);
      }
    } finally {
      free();
    }
    return dw;
  };
}

/**
 * `Conv2D` and `FusedConv2D` (bias; linear or ReLU) on our implicit-product convolution (wasm
 * `conv2d`): NHWC, any stride, dilation 1, float32; images split over the helper threads. Else
 * (NCHW, dilations, other activations, a PReLU's weights) the original kernel runs.
 */
function simdConv(fused: boolean) {
  return (original: KernelFunc): KernelFunc =>
    (args) => {
      const k = simdKernels(args.backend);
      const { x, filter, bias, preluActivationWeights } = args.inputs as {
        x: TensorInfo;
        filter: TensorInfo;
        bias?: TensorInfo;
        preluActivationWeights?: TensorInfo;
      };
      const a = args.attrs as unknown as {
        strides: number | [number, number];
        pad: Conv2DBackpropInputAttrs['pad'];
        dataFormat?: string;
        dilations?: number | [number, number];
        dimRoundingMode?: 'floor' | 'round' | 'ceil';
        activation?: string;
      };
      const relu = fused && a.activation === 'relu';
      const [dh, dw] = pair(a.dilations ?? 1);
      if (
        k === undefined ||
        a.dataFormat === 'NCHW' ||
        dh !== 1 ||
        dw !== 1 ||
        x.dtype !== 'float32' ||
        filter.dtype !== 'float32' ||
        x.shape.length !== 4 ||
        filter.shape.length !== 4 ||
        (fused && !relu && a.activation !== undefined && a.activation !== 'linear') ||
        preluActivationWeights !== undefined ||
        (bias !== undefined && bias.dtype !== 'float32')
      ) {
        return original(args);
      }
      const ci = convGeometry('Conv2D', x.shape, filter.shape, a.strides, a.pad, a.dimRoundingMode);
      const { batchSize: b, inHeight: h, inWidth: wd, inChannels: cin } = ci;
      const { outHeight: oh, outWidth: ow, outChannels: c, filterHeight: kh, filterWidth: kw } = ci;
      const withBias = fused && bias !== undefined;
      if (withBias && util.sizeFromShape(bias.shape) !== c) return original(args);
      if (kh * kw * cin === 0) return original(args);
      const y = k.backend.makeOutput([b, oh, ow, c], 'float32'); // [B, oh, ow, Cout]
      if (b * oh * ow * c === 0) return y;
      const c8 = (c + 7) & ~7;
      const rows = kh * kw * cin;
      const [sh, sw] = [ci.strideHeight, ci.strideWidth];
      const padded = ((oh - 1) * sh + kh) * ((ow - 1) * sw + kw) * cin * F32; // one image
      const threads = k.pool !== undefined && b > 1 ? k.pool.threads : 1;
      const [scratch, free] = k.alloc(rows * c8 * F32 + threads * padded);
      try {
        k.exports.padColumns(k.offset(filter), scratch, rows, c, c8);
        const { top, left } = ci.padInfo;
        const geometry = [h, wd, cin, oh, ow, c, kh, kw, top, left, sh, sw, relu ? 1 : 0];
        const pb = withBias ? k.offset(bias) : 0;
        if (threads > 1 && k.pool !== undefined) {
          k.pool.run('conv2d', b, [
            [k.offset(x), h * wd * cin * F32, 0],
            scratch,
            pb,
            [k.offset(y), oh * ow * c * F32, 0],
            [scratch + rows * c8 * F32, 0, padded],
            1,
            ...geometry,
          ]);
        } else {
          k.exports.conv2d(
            k.offset(x),
            scratch,
            pb,
            k.offset(y),
            scratch + rows * c8 * F32,
            b,
            ...geometry,
          );
        }
      } finally {
        free();
      }
      return y;
    };
}

/**
 * `MaxPool` with 2×2 windows and stride 2 tiling the input (every LeNet and VGG pool) on our
 * kernel (wasm `pool2x2`): tfjs-backend-cpu's rule (NaN never wins), the rule our MaxPoolGrad
 * routes by (./max-pool-grad.ts); images split over the helper threads. Other windows: the
 * original kernel. (XNNPACK's own rule is neither: a window starting with NaN gives −∞ there.)
 */
function simdMaxPool(original: KernelFunc): KernelFunc {
  return (args) => {
    const k = simdKernels(args.backend);
    const { x } = args.inputs as { x: TensorInfo };
    const a = args.attrs as unknown as MaxPoolAttrs;
    if (k === undefined || x.dtype !== 'float32' || x.shape.length !== 4) return original(args);
    let p: backend_util.Conv2DInfo;
    try {
      p = backend_util.computePool2DInfo(
        x.shape as [number, number, number, number],
        a.filterSize,
        a.strides,
        1,
        a.pad,
        a.dimRoundingMode,
      );
    } catch {
      return original(args); // tfjs's kernel reports the bad attribute
    }
    if (!tiles2x2(p)) return original(args);
    const [b, h, w, c] = x.shape;
    const y = k.backend.makeOutput([b, h / 2, w / 2, c], 'float32'); // [B, H/2, W/2, C]
    if (b * h * w * c === 0) return y;
    if (k.pool !== undefined && b > 1) {
      k.pool.run('pool2x2', b, [
        [k.offset(x), h * w * c * F32, 0],
        [k.offset(y), (h * w * c * F32) / 4, 0],
        1,
        h,
        w,
        c,
      ]);
    } else k.exports.pool2x2(k.offset(x), k.offset(y), b, h, w, c);
    return y;
  };
}

/** `Sum` over every axis but the last (a bias gradient): our column sum; otherwise the original. */
function simdSum(original: KernelFunc): KernelFunc {
  return (args) => {
    const k = simdKernels(args.backend);
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as SumAttrs;
    const r = x.shape.length;
    if (k === undefined || x.dtype !== 'float32' || r < 2) return original(args);
    const axes = [...util.parseAxisParam(axis, x.shape)].sort((a, b) => a - b);
    if (axes.length !== r - 1 || axes.some((a, i) => a !== i)) return original(args);
    const c = x.shape[r - 1];
    const rows = util.sizeFromShape(x.shape.slice(0, r - 1));
    const shape = keepDims ? [...Array<number>(r - 1).fill(1), c] : [c];
    const y = k.backend.makeOutput(shape, 'float32'); // [c] or [1, …, 1, c]
    if (c > 0) k.exports.colSum(k.offset(x), k.offset(y), rows, c);
    return y;
  };
}

/**
 * `AdvPruneReluGrad` (our kernel name, WASM only): dz = dy ⊙ step(y) for y = relu(z), in one
 * pass where tfjs runs Step then Multiply (src/engine/model/fused.ts calls it where a backend has
 * it). Bit for bit tfjs's mul(dy, step(y)); without our SIMD code, exactly those two kernels.
 */
export const RELU_GRAD = 'AdvPruneReluGrad';

const reluGrad: KernelFunc = (args) => {
  const { dy, y } = args.inputs as { dy: TensorInfo; y: TensorInfo };
  const k = simdKernels(args.backend);
  if (
    k === undefined ||
    dy.dtype !== 'float32' ||
    y.dtype !== 'float32' ||
    dy.shape.length !== y.shape.length ||
    dy.shape.some((d, i) => d !== y.shape[i])
  ) {
    return composed(args.backend, (s) => {
      const step = s.run('Step', { x: y }, { alpha: 0 });
      return s.run('Multiply', { a: dy, b: step });
    });
  }
  const dz = k.backend.makeOutput([...dy.shape], 'float32'); // dy's shape
  const n = util.sizeFromShape(dy.shape);
  if (n > 0) k.exports.reluGrad(k.offset(dy), k.offset(y), k.offset(dz), n);
  return dz;
};

export const reluGradConfig: KernelConfig = {
  kernelName: RELU_GRAD,
  backendName: WASM,
  kernelFunc: reluGrad,
};

/** with helper threads, products from this many multiply-adds split their rows over them */
const POOL_MIN_MACS = 5e5;
/** rows of C per task of a split product */
const GEMM_ROWS = 16;
/** products with a sum axis this long copy B's column blocks into packed panels first */
const PANEL_MIN_K = 512;
/** rows of C per task of a split product with panels (each task packs every panel) */
const GEMM_PANEL_ROWS = 64;

/**
 * `BatchMatMul` and `_FusedMatMul` (bias, linear or ReLU) on our GEMM (wasm/kernels.ts `gemm`):
 * a [..., M, K] (or [..., K, M] transposed), b [..., K, N] (or [..., N, K]) with the same batch
 * axes, bias of N floats → [..., M, N], any size (sum axes from PANEL_MIN_K with packed panels;
 * with helper threads one product's rows split over them from POOL_MIN_MACS). Elsewhere
 * (broadcast batch axes, other activations, a PReLU's weights, int32 operands) the original
 * kernel runs. Why: XNNPACK builds and packs an operator for every new right-hand operand
 * (~50-190 µs a product in a LeNet step, where every weight and output gradient is new).
 *
 * Which kernel runs depends on the shapes only, never on what ran before: the same product twice
 * gives the same bits. (A first version let a right-hand operand seen before go back to XNNPACK,
 * whose operator for it would then be built; the same forward pass then rounded differently on
 * its second call, and an anomaly degree of x' = x, which must be exactly 0, was not.)
 */
function simdMatMul(fused: boolean) {
  return (original: KernelFunc): KernelFunc =>
    (args) => {
      const k = simdKernels(args.backend);
      const { a, b, bias, preluActivationWeights } = args.inputs as {
        a: TensorInfo;
        b: TensorInfo;
        bias?: TensorInfo;
        preluActivationWeights?: TensorInfo;
      };
      const at = args.attrs as unknown as {
        transposeA: boolean;
        transposeB: boolean;
        activation?: string;
      };
      const ra = a.shape.length;
      const rb = b.shape.length;
      const relu = fused && at.activation === 'relu';
      if (
        k === undefined ||
        a.dtype !== 'float32' ||
        b.dtype !== 'float32' ||
        ra < 2 ||
        ra !== rb ||
        a.shape.slice(0, -2).some((d, i) => d !== b.shape[i]) ||
        (fused && !relu && at.activation !== 'linear') ||
        preluActivationWeights !== undefined
      ) {
        return original(args);
      }
      const [m, kk] = at.transposeA ? [a.shape[ra - 1], a.shape[ra - 2]] : a.shape.slice(-2);
      const [kb, n] = at.transposeB ? [b.shape[rb - 1], b.shape[rb - 2]] : b.shape.slice(-2);
      const withBias = fused && bias !== undefined;
      if (
        kk !== kb ||
        (withBias && (bias.dtype !== 'float32' || util.sizeFromShape(bias.shape) !== n))
      ) {
        return original(args);
      }
      const outer = a.shape.slice(0, -2);
      const batches = util.sizeFromShape(outer);
      const c = k.backend.makeOutput([...outer, m, n], 'float32'); // [..., M, N]
      if (batches * m * n === 0) return c;
      if (kk === 0) {
        // empty sums: the bias alone, through the activation (XNNPACK leaves garbage there)
        const out = new Float32Array(k.memory.buffer, k.offset(c), batches * m * n);
        const bv = withBias ? new Float32Array(k.memory.buffer, k.offset(bias), n) : undefined;
        for (let i = 0; i < out.length; i++) {
          const z = bv === undefined ? 0 : bv[i % n];
          out[i] = relu ? (z > 0 || Number.isNaN(z) ? z : 0) : z;
        }
        return c;
      }
      const pool = k.pool;
      const split =
        pool !== undefined && pool.threads > 1 && batches === 1 && m * kk * n >= POOL_MIN_MACS;
      // a long sum axis: B's 8-column blocks as packed panels (same bits), per thread
      const panelBytes = kk >= PANEL_MIN_K && m >= 16 ? kk * 8 * F32 : 0;
      const threads = split && pool !== undefined ? pool.threads : 1;
      const transBytes = at.transposeB ? kk * n * F32 : 0;
      const [scratch, free] =
        transBytes + panelBytes > 0
          ? k.alloc(transBytes + threads * panelBytes)
          : [0, () => undefined];
      const panel = panelBytes > 0 ? scratch + transBytes : 0;
      try {
        const pa = k.offset(a);
        const pb = k.offset(b);
        const pc = k.offset(c);
        const pbias = withBias ? k.offset(bias) : 0;
        if (split && pool !== undefined) {
          // rows in blocks over the threads; Bᵀ made once, here
          if (at.transposeB) k.exports.transposeInto(pb, scratch, n, kk);
          const rowsPerTask = panelBytes > 0 ? GEMM_PANEL_ROWS : GEMM_ROWS;
          pool.run('gemmRows', Math.ceil(m / rowsPerTask), [
            pa,
            at.transposeB ? scratch : pb,
            pc,
            pbias,
            [panel, 0, panelBytes],
            [0, rowsPerTask, 0],
            rowsPerTask,
            m,
            kk,
            n,
            at.transposeA ? 1 : 0,
            relu ? 1 : 0,
          ]);
          return c;
        }
        for (let i = 0; i < batches; i++) {
          k.exports.gemm(
            pa + i * m * kk * F32,
            pb + i * kk * n * F32,
            pc + i * m * n * F32,
            pbias,
            scratch,
            m,
            kk,
            n,
            at.transposeA ? 1 : 0,
            at.transposeB ? 1 : 0,
            relu ? 1 : 0,
            panel,
          );
        }
      } finally {
        free();
      }
      return c;
    };
}

const wrap =
  (build: (original: KernelFunc) => KernelFunc) =>
  (original: KernelConfig): KernelConfig => ({
    ...original,
    backendName: WASM,
    kernelFunc: build(original.kernelFunc),
  });

/** Kernel name → builder of our SIMD kernel from the one it falls back to. */
export const SIMD_OVERRIDES: Record<string, (original: KernelConfig) => KernelConfig> = {
  [BPI]: wrap(simdInputGrad),
  [BPF]: wrap(simdFilterGrad),
  Sum: wrap(simdSum),
  BatchMatMul: wrap(simdMatMul(false)),
  _FusedMatMul: wrap(simdMatMul(true)),
  Conv2D: wrap(simdConv(false)),
  FusedConv2D: wrap(simdConv(true)),
  MaxPool: wrap(simdMaxPool),
};
