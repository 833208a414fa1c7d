/**
 * The two gradients of a stride-1 convolution, on our own WebAssembly SIMD code (wasm/kernels.ts,
 * ../simd/runtime.ts), for the WASM backend; measured alone, 2 threads, tfjs's kernel → ours:
 *
 * | kernel               | LeNet layer, batch 64 | how                                            |
 * |----------------------|-----------------------|------------------------------------------------|
 * | Conv2DBackpropInput  | conv1: 1.4 → 0.9-1.1  | one input channel: dot products over dy's rows |
 * |                      | conv2: 1.69 → 1.60 ms | product dy·Wᵀ per image, then a scatter        |
 * | Conv2DBackpropFilter | conv1: 2.6 → 0.85 ms  | implicit product over the pixels, 5×8 tiles    |
 * |                      | conv2: 1.32 → 1.17 ms |                                                |
 *
 * They apply for NHWC, stride 1, dilation 1, float32, with the kernels attached to this backend
 * (`attachSimdKernels`, which initBackend calls); elsewhere the kernel they wrap runs
 * (./fast-overrides.ts, ./conv2d-backprop-filter.ts). tfjs's input gradient of a one-channel
 * input fills one of XNNPACK's lanes, and its filter gradient re-packs dy as an XNNPACK "filter" on
 * every call. Our forward convolution was measured slower than XNNPACK's on 2 threads (conv1's:
 * 0.88-0.94 against 0.70 ms), so tfjs keeps it. Method and shapes: wasm/kernels.ts (Dumoulin and
 * Visin 2016, arXiv 1603.07285): dy `[B, oh, ow, Cout]`, filter `[kh, kw, Cin, Cout]`, x and dx
 * `[B, H, W, Cin]`.
 *
 * Also here: `Sum` over every axis but the last (bias gradients) in one pass, the ReLU gradient as
 * one kernel, and the matrix products (`BatchMatMul`, `_FusedMatMul` with bias and linear/ReLU) on
 * our GEMM up to GEMM_MAX_MACS (XNNPACK builds an operator for every new right-hand operand).
 * In a LeNet standard step at batch 64 (2 threads) the dense layers' nine products took ~2.5 ms
 * with XNNPACK's and take ~0.9 ms with ours (every weight and output gradient is new each step).
 *
 * Results equal tfjs's kernels up to float32 rounding (the sums run in another order);
 * tests/engine/backend/simd-kernels.test.ts and simd-matmul.test.ts compare them with the CPU
 * backend.
 */
import { util } from '@tensorflow/tfjs-core';
import type {
  backend_util,
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

/** Products larger than this (multiply-adds) stay XNNPACK's: its 2 threads win there. */
export const GEMM_MAX_MACS = 8e6;

/**
 * `BatchMatMul` and `_FusedMatMul` (bias, linear or ReLU) on our GEMM (wasm/kernels.ts `gemm`):
 * a [..., M, K] (or [..., K, M] transposed), b [..., K, N] (or [..., N, K]) with the same batch
 * axes, bias of N floats → [..., M, N], up to GEMM_MAX_MACS multiply-adds. Elsewhere (broadcast
 * batch axes, other activations, a PReLU's weights, int32 operands, larger products) the original
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
      const empty = batches * m * n === 0 || kk === 0;
      if (!empty && batches * m * kk * n > GEMM_MAX_MACS) return original(args);
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
      const [scratch, free] = at.transposeB ? k.alloc(kk * n * F32) : [0, () => undefined];
      try {
        const pa = k.offset(a);
        const pb = k.offset(b);
        const pc = k.offset(c);
        const pbias = withBias ? k.offset(bias) : 0;
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
};
