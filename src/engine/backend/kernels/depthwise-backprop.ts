/**
 * `DepthwiseConv2dNativeBackpropFilter` and `DepthwiseConv2dNativeBackpropInput` for the WASM
 * backend (missing in tfjs 4.22, so depthwise convolutions cannot train there).
 *
 * Method: a depthwise convolution with filter f `[kh, kw, C, M]` equals a regular convolution
 * with the block-diagonal filter F `[kh, kw, C, C·M]`, F[i, j, c', c·M + m] = [c' = c]·f[i, j, c, m]
 * (Chollet 2017, "Xception", arXiv 1610.02357, describes the depthwise / regular relation). So
 *   - the input gradient is `Conv2DBackpropInput(dy, F)`, and
 *   - the filter gradient is the block diagonal of `Conv2DBackpropFilter(x, dy)` `[kh, kw, C, C·M]`.
 * Both cost C times the depthwise work; fine for the small nets this project trains (none of its
 * specs uses depthwise convolutions yet), exact, and built only from kernels the backend has.
 *
 * Shapes: x `[B, H, W, C]`, dy `[B, oh, ow, C·M]`, filter `[kh, kw, C, M]`, NHWC, float32,
 * dilation 1 (tfjs's depthwise gradient rejects other dilations).
 */
import type {
  KernelConfig,
  KernelFunc,
  TensorInfo,
  DepthwiseConv2dNativeBackpropFilterAttrs,
  DepthwiseConv2dNativeBackpropInputAttrs,
} from '@tensorflow/tfjs-core';
import {
  type Scope,
  WASM,
  WasmKernelError,
  assertRank4,
  assertSameShape,
  composed,
  pair,
} from './compose';
import { convGeometry } from './conv-geometry';
import { conv2dFilterGradNhwc } from './conv2d-backprop-filter';

const FILTER = 'DepthwiseConv2dNativeBackpropFilter';
const INPUT = 'DepthwiseConv2dNativeBackpropInput';

/** Identity mask `[1, 1, C, C, 1]` (float32), owned by `s`. */
function eyeMask(s: Scope, c: number): TensorInfo {
  const eye = new Float32Array(c * c);
  for (let i = 0; i < c; i++) eye[i * c + i] = 1;
  return s.constant(eye, [1, 1, c, c, 1]);
}

function checkCommon(kernel: string, dy: TensorInfo, filterShape: readonly number[], dil: unknown) {
  assertRank4(kernel, 'dy', dy.shape);
  assertRank4(kernel, 'filter', filterShape);
  const [dh, dw] = pair(dil as number | [number, number] | undefined);
  if (dh !== 1 || dw !== 1) {
    throw new WasmKernelError(kernel, `dilations must be 1, got [${dh}, ${dw}]`);
  }
  if (dy.dtype !== 'float32')
    throw new WasmKernelError(kernel, `dy must be float32, got ${dy.dtype}`);
}

const depthwiseBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x?: TensorInfo; dy?: TensorInfo };
  const a = attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
  if (x === undefined || dy === undefined)
    throw new WasmKernelError(FILTER, 'needs inputs x and dy');
  assertRank4(FILTER, 'x', x.shape);
  checkCommon(FILTER, dy, a.filterShape, a.dilations);
  const [kh, kw, c, m] = a.filterShape;
  const ci = convGeometry(FILTER, x.shape, [kh, kw, c, c * m], a.strides, a.pad, a.dimRoundingMode);
  assertSameShape(FILTER, 'dy', dy.shape, ci.outShape);
  return composed(backend, (s) => {
    const full = conv2dFilterGradNhwc(s, x, dy, ci); // [kh, kw, C, C·M]
    const full5 = s.run('Reshape', { x: full }, { shape: [kh, kw, c, c, m] }); // [kh, kw, C', C, M]
    const diag = s.run('Multiply', { a: full5, b: eyeMask(s, c) }); // [kh, kw, C', C, M]
    return s.run('Sum', { x: diag }, { axis: [2], keepDims: false }); // [kh, kw, C, M]
  });
};

const depthwiseBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy?: TensorInfo; filter?: TensorInfo };
  const a = attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
  if (dy === undefined || filter === undefined) {
    throw new WasmKernelError(INPUT, 'needs inputs dy and filter');
  }
  assertRank4(INPUT, 'inputShape', a.inputShape);
  checkCommon(INPUT, dy, filter.shape, a.dilations);
  const [kh, kw, c, m] = filter.shape;
  const ci = convGeometry(
    INPUT,
    a.inputShape,
    [kh, kw, c, c * m],
    a.strides,
    a.pad,
    a.dimRoundingMode,
  );
  assertSameShape(INPUT, 'dy', dy.shape, ci.outShape);
  return composed(backend, (s) => {
    const f5 = s.run('Reshape', { x: filter }, { shape: [kh, kw, 1, c, m] }); // [kh, kw, 1, C, M]
    const blocks = s.run('Multiply', { a: f5, b: eyeMask(s, c) }); // [kh, kw, C', C, M]
    const full = s.run('Reshape', { x: blocks }, { shape: [kh, kw, c, c * m] }); // [kh, kw, C, C·M]
    return s.run(
      'Conv2DBackpropInput',
      { dy, filter: full },
      {
        strides: a.strides,
        pad: a.pad,
        dataFormat: 'NHWC',
        dimRoundingMode: a.dimRoundingMode,
        inputShape: a.inputShape,
      },
    ); // [B, H, W, C]
  });
};

export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: FILTER,
  backendName: WASM,
  kernelFunc: depthwiseBackpropFilter,
};

export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: INPUT,
  backendName: WASM,
  kernelFunc: depthwiseBackpropInput,
};
