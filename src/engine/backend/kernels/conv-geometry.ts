/**
 * Convolution geometry shared by the WASM training kernels: the forward convolution's shapes and
 * padding (computed by tfjs's own `computeConv2DInfo`, so 'same', 'valid', a number, explicit
 * padding and `dimRoundingMode` mean exactly what they mean in the forward op), and explicit
 * zero padding of an input so every window of the forward pass lies inside it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo, backend_util } from '@tensorflow/tfjs-core';
import { type Scope, WasmKernelError, pair } from './compose';

/** The `pad` attribute of tfjs convolution kernels. */
export type ConvPad = 'valid' | 'same' | number | backend_util.ExplicitPadding;
export type RoundingMode = 'floor' | 'round' | 'ceil' | undefined;

/**
 * Forward-convolution geometry for an NHWC input `[B, H, W, Cin]` and an HWIO filter
 * `[kh, kw, Cin, Cout]` (or `[kh, kw, Cin, multiplier]` when `depthwise`). Dilation is 1 (tfjs
 * gradients reject other dilations). Throws a `WasmKernelError` naming the bad attribute.
 */
export function convGeometry(
  kernel: string,
  xShape: readonly number[],
  filterShape: readonly number[],
  strides: number | [number, number],
  pad: ConvPad,
  dimRoundingMode: RoundingMode,
  depthwise = false,
): backend_util.Conv2DInfo {
  const [sh, sw] = pair(strides);
  if (!(sh >= 1 && sw >= 1 && Number.isInteger(sh) && Number.isInteger(sw))) {
    throw new WasmKernelError(kernel, `strides must be positive integers, got [${sh}, ${sw}]`);
  }
  try {
    return tf.backend_util.computeConv2DInfo(
      xShape as [number, number, number, number],
      filterShape as [number, number, number, number],
      [sh, sw],
      1,
      pad,
      dimRoundingMode,
      depthwise,
      'channelsLast',
    );
  } catch (e) {
    throw new WasmKernelError(kernel, `bad convolution attributes: ${String(e)}`);
  }
}

/** Explicit padding given in NCHW order, reordered to NHWC; other pads pass through. */
export function padToNhwc(pad: ConvPad): ConvPad {
  if (!Array.isArray(pad)) return pad;
  return [pad[0], pad[2], pad[3], pad[1]];
}

/** Zero padding `[[top, bottom], [left, right]]` of an input `[B, H, W, C]` for its windows. */
export type WindowPadding = [[number, number], [number, number]];

/**
 * The forward pass's top/left padding, and at the bottom/right just enough that all
 * `outHeight × outWidth` windows fit (rows past the last window are kept; callers ignore them).
 */
export function windowPadding(ci: backend_util.Conv2DInfo): WindowPadding {
  const { top, left } = ci.padInfo;
  const needH = (ci.outHeight - 1) * ci.strideHeight + ci.filterHeight;
  const needW = (ci.outWidth - 1) * ci.strideWidth + ci.filterWidth;
  return [
    [top, Math.max(0, needH - ci.inHeight - top)],
    [left, Math.max(0, needW - ci.inWidth - left)],
  ];
}

/**
 * Zero-pad `x` `[B, H, W, C]` by `windowPadding(ci)`. Returns `x` itself when no padding is
 * needed.
 */
export function padForWindows(s: Scope, x: TensorInfo, ci: backend_util.Conv2DInfo): TensorInfo {
  const [[top, bottom], [left, right]] = windowPadding(ci);
  if (top === 0 && left === 0 && bottom === 0 && right === 0) return x;
  return s.run(
    'PadV2',
    { x },
    {
      paddings: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      constantValue: 0,
    },
  ); // [B, Hp, Wp, C]
}

/** Run `Transpose` with permutation `perm`. */
export function transpose(s: Scope, x: TensorInfo, perm: number[]): TensorInfo {
  return s.run('Transpose', { x }, { perm });
}
