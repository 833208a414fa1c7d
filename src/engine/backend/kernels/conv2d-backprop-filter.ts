/**
 * `Conv2DBackpropFilter` for the WASM backend, which tfjs 4.22 does not ship (so `tf.grad` of a
 * conv2d with respect to its filter throws there).
 *
 * Method: the filter gradient of a convolution is itself a convolution (Dumoulin and Visin 2016,
 * "A guide to convolution arithmetic for deep learning", arXiv 1603.07285):
 *
 *   dW[i, j, ci, co] = Σ_{b, y, x} xPad[b, y·sh + i, x·sw + j, ci] · dy[b, y, x, co]
 *
 * Read the batch axis as the channel axis and this is a stride-1 convolution of
 * xᵀ `[Cin, H, W, B]` (zero-padded by XNNPACK itself to `[Cin, Hp, Wp, B]`) with the "filter"
 * dyᵀ `[oh, ow, B, Cout]`, dilated by the forward stride, giving `[Cin, kh, kw, Cout]`. That
 * runs on the XNNPACK convolution the WASM backend already has: 2-20× faster than routing
 * through `Conv3DBackpropFilterV2` (a plain loop, and wrong for strides > 1 in
 * tfjs-backend-wasm 4.22) and 4-30× faster than im2col with strided
 * slices (bench/conv-grad.ts, docs/backends.md).
 *
 * Shapes: x `[B, H, W, Cin]`, dy `[B, oh, ow, Cout]` (NHWC; NCHW inputs are transposed first),
 * result `[kh, kw, Cin, Cout]`. Padding 'same' | 'valid' | number | explicit, any positive
 * strides, dilation 1 (tfjs's conv2d gradient rejects other dilations), float32.
 */
import type {
  KernelConfig,
  KernelFunc,
  TensorInfo,
  Conv2DBackpropFilterAttrs,
  backend_util,
} from '@tensorflow/tfjs-core';
import {
  type Scope,
  WASM,
  WasmKernelError,
  assertRank4,
  assertSameShape,
  composed,
} from './compose';
import { convGeometry, padToNhwc, transpose, windowPadding } from './conv-geometry';

const NAME = 'Conv2DBackpropFilter';

/**
 * The filter gradient `[kh, kw, Cin, Cout]` of an NHWC convolution with geometry `ci`, from its
 * input x `[B, H, W, Cin]` and output gradient dy `[B, oh, ow, Cout]`. Intermediates live in `s`.
 */
export function conv2dFilterGradNhwc(
  s: Scope,
  x: TensorInfo,
  dy: TensorInfo,
  ci: backend_util.Conv2DInfo,
): TensorInfo {
  const { filterHeight: kh, filterWidth: kw, inChannels: cin, outChannels: cout } = ci;
  const [padH, padW] = windowPadding(ci);
  const xt = transpose(s, x, [3, 1, 2, 0]); // [Cin, H, W, B]
  const dyt = transpose(s, dy, [1, 2, 0, 3]); // [oh, ow, B, Cout]
  const full = s.run(
    'Conv2D',
    { x: xt, filter: dyt },
    {
      strides: [1, 1],
      // XNNPACK pads inside the convolution: a PadV2 of x first cost as much as the convolution
      pad: [[0, 0], padH, padW, [0, 0]],
      dataFormat: 'NHWC',
      dilations: [ci.strideHeight, ci.strideWidth],
    },
  ); // [Cin, kh + extraH, kw + extraW, Cout]
  const exact =
    full.shape[1] === kh && full.shape[2] === kw
      ? full
      : s.run('Slice', { x: full }, { begin: [0, 0, 0, 0], size: [cin, kh, kw, cout] }); // [Cin, kh, kw, Cout]
  return transpose(s, exact, [1, 2, 0, 3]); // [kh, kw, Cin, Cout]
}

const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x?: TensorInfo; dy?: TensorInfo };
  const a = attrs as unknown as Conv2DBackpropFilterAttrs;
  if (x === undefined || dy === undefined) throw new WasmKernelError(NAME, 'needs inputs x and dy');
  assertRank4(NAME, 'x', x.shape);
  assertRank4(NAME, 'dy', dy.shape);
  assertRank4(NAME, 'filterShape', a.filterShape);
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new WasmKernelError(NAME, `x and dy must be float32, got ${x.dtype} and ${dy.dtype}`);
  }
  return composed(backend, (s) => {
    const nchw = a.dataFormat === 'NCHW';
    const xh = nchw ? transpose(s, x, [0, 2, 3, 1]) : x; // [B, H, W, Cin]
    const dyh = nchw ? transpose(s, dy, [0, 2, 3, 1]) : dy; // [B, oh, ow, Cout]
    const pad = nchw ? padToNhwc(a.pad) : a.pad;
    const ci = convGeometry(NAME, xh.shape, a.filterShape, a.strides, pad, a.dimRoundingMode);
    assertSameShape(NAME, 'dy', dyh.shape, ci.outShape);
    return conv2dFilterGradNhwc(s, xh, dyh, ci); // [kh, kw, Cin, Cout]
  });
};

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: NAME,
  backendName: WASM,
  kernelFunc: conv2DBackpropFilter,
};
