/**
 * Opt-in replacements (`replaceSlow`, on by default in initBackend) for WASM kernels that tfjs 4.22
 * has but runs slowly, all on the hot path of (adversarial) training, where every attack step needs
 * an input gradient:
 *
 * - `Conv2DBackpropInput` (the input gradient of conv2d). Method: the input gradient of a
 *   convolution is a "full" convolution of the stride-dilated output gradient with the filter
 *   rotated by 180° and its in/out channels swapped (Dumoulin and Visin 2016, "A guide to
 *   convolution arithmetic for deep learning", arXiv 1603.07285, transposed convolution):
 *     dx = conv2d(zeroInsert(dy, s), rot180(W)ᵀ, stride 1, pad (kh−1−top, …, kw−1−left, …))
 *   run on the backend's XNNPACK Conv2D. Zero insertion is Reshape → PadV2 → Reshape. With one
 *   input channel, a depthwise convolution of dy's channels summed over them instead.
 * - `BatchMatMul` with `transposeA` or `transposeB` (the dense-layer gradients): transpose the
 *   operand explicitly, then run the untransposed product, which XNNPACK serves ~10× faster.
 *
 * - `MaxPoolGrad`: a single pass over the windows on the WASM heap (./max-pool-grad.ts), which
 *   also fixes the shipped kernel's routing of all-non-positive windows and its tie rule.
 * - `Identity` (tf.clone, which the gradient tape calls on every tensor it saves): shares the
 *   input's data under the backend's reference count instead of copying it.
 *
 * Each wraps the original kernel function and falls back to it outside its supported case
 * (NCHW, explicit padding larger than the filter). Shapes: dy `[B, oh, ow, Cout]`, filter
 * `[kh, kw, Cin, Cout]`, result `[B, H, W, Cin]`; matmul as `tf.matMul`.
 */
import type {
  BatchMatMulAttrs,
  Conv2DBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { WASM, assertRank4, assertSameShape, composed } from './compose';
import { convGeometry, transpose } from './conv-geometry';
import { fastMaxPoolGradConfig } from './max-pool-grad';

const BPI = 'Conv2DBackpropInput';
const MATMUL = 'BatchMatMul';

function fastConv2DBackpropInput(original: KernelFunc): KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = args.attrs as unknown as Conv2DBackpropInputAttrs;
    if (a.dataFormat === 'NCHW' || dy.dtype !== 'float32' || filter.dtype !== 'float32') {
      return original(args);
    }
    assertRank4(BPI, 'dy', dy.shape);
    assertRank4(BPI, 'filter', filter.shape);
    const ci = convGeometry(BPI, a.inputShape, filter.shape, a.strides, a.pad, a.dimRoundingMode);
    assertSameShape(BPI, 'dy', dy.shape, ci.outShape);
    const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = ci;
    const { batchSize: b, outHeight: oh, outWidth: ow, outChannels: cout } = ci;
    const top = kh - 1 - ci.padInfo.top;
    const left = kw - 1 - ci.padInfo.left;
    if (top < 0 || left < 0) return original(args);
    // rows/cols after the last dilated dy row/col, measured from a zero-inserted dy of oh·sh rows
    const bottom = ci.inHeight - (oh - 1) * sh - 1 + ci.padInfo.top - (sh - 1);
    const right = ci.inWidth - (ow - 1) * sw - 1 + ci.padInfo.left - (sw - 1);
    return composed(args.backend, (s) => {
      let d = dy; // [B, oh, ow, Cout]
      if (sh > 1 || sw > 1) {
        const d6 = s.run('Reshape', { x: dy }, { shape: [b, oh, 1, ow, 1, cout] });
        const paddings = [
          [0, 0],
          [0, 0],
          [0, sh - 1],
          [0, 0],
          [0, sw - 1],
          [0, 0],
        ];
        const p6 = s.run('PadV2', { x: d6 }, { paddings, constantValue: 0 }); // [B, oh, sh, ow, sw, Cout]
        d = s.run('Reshape', { x: p6 }, { shape: [b, oh * sh, ow * sw, cout] }); // [B, oh·sh, ow·sw, Cout]
      }
      if (bottom < 0 || right < 0) {
        // the trailing inserted zeros reach past the input: drop them (they are zeros)
        const size = [b, d.shape[1] + Math.min(0, bottom), d.shape[2] + Math.min(0, right), cout];
        d = s.run('Slice', { x: d }, { begin: [0, 0, 0, 0], size });
      }
      const swapped = transpose(s, filter, [0, 1, 3, 2]); // [kh, kw, Cout, Cin]
      const rotated = s.run('Reverse', { x: swapped }, { dims: [0, 1] }); // [kh, kw, Cout, Cin]
      const pad = [
        [0, 0],
        [top, Math.max(0, bottom)],
        [left, Math.max(0, right)],
        [0, 0],
      ];
      const attrs = { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1] };
      if (ci.inChannels === 1) {
        // one input channel (a grayscale first layer, on every attack step): as a Conv2D that is
        // a GEMM with one output column, which XNNPACK pads to 8; a depthwise convolution per
        // dy channel and a sum over them is the same sum of products, ~2× faster
        const per = s.run('DepthwiseConv2dNative', { x: d, filter: rotated }, attrs); // [B, H, W, Cout]
        return s.run('Sum', { x: per }, { axis: [3], keepDims: true }); // [B, H, W, 1]
      }
      return s.run('Conv2D', { x: d, filter: rotated }, attrs); // [B, H, W, Cin]
    });
  };
}

function fastBatchMatMul(original: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    if (!transposeA && !transposeB) return original(args);
    const swapLast = (rank: number) => [...Array(rank - 2).keys(), rank - 1, rank - 2];
    return composed(args.backend, (s) => {
      const a2 = transposeA ? transpose(s, a, swapLast(a.shape.length)) : a; // [..., M, K]
      const b2 = transposeB ? transpose(s, b, swapLast(b.shape.length)) : b; // [..., K, N]
      const attrs = { transposeA: false, transposeB: false };
      return original({ inputs: { a: a2, b: b2 }, backend: args.backend, attrs }) as TensorInfo; // [..., M, N]
    });
  };
}

/** The part of tfjs-backend-wasm's BackendWasm that the shared-data Identity uses. */
interface RefCountingBackend {
  incRef(dataId: object): void;
}

/**
 * `Identity` (tf.clone) without a copy: the output shares the input's data and the backend's
 * reference count keeps it alive until both are disposed, as tfjs-backend-cpu's Identity does.
 * tfjs clones every tensor a gradient needs when it records the tape (~46 per LeNet training
 * step, activations included); WASM's own kernel copies each one.
 */
function sharedIdentity(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const backend = args.backend as unknown as Partial<RefCountingBackend>;
    if (x.dtype === 'string' || typeof backend.incRef !== 'function') return original(args);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/** Kernel name → builder of the replacement from the original WASM kernel config. */
export const FAST_OVERRIDES: Record<string, (original: KernelConfig) => KernelConfig> = {
  [BPI]: (original) => ({
    ...original,
    backendName: WASM,
    kernelFunc: fastConv2DBackpropInput(original.kernelFunc),
  }),
  [MATMUL]: (original) => ({
    ...original,
    backendName: WASM,
    kernelFunc: fastBatchMatMul(original.kernelFunc),
  }),
  MaxPoolGrad: fastMaxPoolGradConfig,
  Identity: (original) => ({
    ...original,
    backendName: WASM,
    kernelFunc: sharedIdentity(original.kernelFunc),
  }),
};
