/**
 * `UnsortedSegmentSum` for the WASM backend (missing in tfjs 4.22). It is the gradient of
 * `tf.gather`, so without it any loss that gathers (e.g. the logit of the true class in a C&W or
 * DLR margin) cannot be differentiated on WASM.
 *
 * Method: out[s, ...] = Σ_n [ids[n] = s] · x[n, ...] is one matrix product of the segment
 * indicator `[S, N]` with x flattened to `[N, R]` (the TensorFlow definition of
 * `tf.math.unsorted_segment_sum`; ids outside [0, S) are dropped, as there).
 *
 * Shapes: x `[N, ...rest]` float32 or int32, segmentIds int32 `[N]`, result `[numSegments, ...rest]`
 * with x's dtype.
 */
import type {
  KernelConfig,
  KernelFunc,
  TensorInfo,
  UnsortedSegmentSumAttrs,
} from '@tensorflow/tfjs-core';
import { WASM, WasmKernelError, composed } from './compose';

const NAME = 'UnsortedSegmentSum';

const unsortedSegmentSum: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x?: TensorInfo; segmentIds?: TensorInfo };
  const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs;
  if (x === undefined || segmentIds === undefined) {
    throw new WasmKernelError(NAME, 'needs inputs x and segmentIds');
  }
  if (segmentIds.shape.length !== 1 || segmentIds.shape[0] !== x.shape[0]) {
    throw new WasmKernelError(
      NAME,
      `segmentIds must have shape [${x.shape[0]}] (x's first axis), got [${segmentIds.shape.join(', ')}]`,
    );
  }
  if (!Number.isInteger(numSegments) || numSegments < 1) {
    throw new WasmKernelError(NAME, `numSegments must be a positive integer, got ${numSegments}`);
  }
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new WasmKernelError(NAME, `x must be float32 or int32, got ${x.dtype}`);
  }
  const n = x.shape[0];
  const rest = x.shape.slice(1);
  const r = rest.reduce((p, d) => p * d, 1);
  return composed(backend, (s) => {
    const ids =
      segmentIds.dtype === 'int32'
        ? segmentIds
        : s.run('Cast', { x: segmentIds }, { dtype: 'int32' });
    const row = s.run('Reshape', { x: ids }, { shape: [1, n] }); // [1, N]
    const seg = s.constant(
      Int32Array.from({ length: numSegments }, (_, i) => i),
      [numSegments, 1],
    ); // [S, 1]
    const hit = s.run('Equal', { a: seg, b: row }); // [S, N] bool
    const indicator = s.run('Cast', { x: hit }, { dtype: 'float32' }); // [S, N]
    const xf = x.dtype === 'float32' ? x : s.run('Cast', { x }, { dtype: 'float32' }); // [N, ...rest]
    const x2 = s.run('Reshape', { x: xf }, { shape: [1, n, r] }); // [1, N, R]
    const ind3 = s.run('Reshape', { x: indicator }, { shape: [1, numSegments, n] }); // [1, S, N]
    const prod = s.run('BatchMatMul', { a: ind3, b: x2 }, { transposeA: false, transposeB: false }); // [1, S, R]
    const out = s.run('Reshape', { x: prod }, { shape: [numSegments, ...rest] }); // [S, ...rest]
    return x.dtype === 'float32' ? out : s.run('Cast', { x: out }, { dtype: 'int32' });
  });
};

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: NAME,
  backendName: WASM,
  kernelFunc: unsortedSegmentSum,
};
