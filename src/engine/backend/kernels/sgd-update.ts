/**
 * Two kernels of the training step's update on WASM, ours (WebAssembly in wasm/kernels.ts).
 *
 * One SGD-with-momentum step of one parameter as ONE kernel on WASM (`AdvPruneSgdUpdate`, our
 * name; our WebAssembly code in wasm/kernels.ts), where src/engine/train/optimizers.ts otherwise
 * runs ~6 small tfjs kernels per parameter (60 per LeNet step, ~5 µs of tfjs JavaScript each).
 *
 * Update (PyTorch's torch.optim.SGD, dampening 0; momentum of Sutskever et al. 2013, ICML):
 *   g ← grad·mask;  g ← g + wd·p;  b ← (μ·b + g)·mask;  g ← g + μ·b (Nesterov) or b;
 *   p ← (p − lr·g)·mask
 * with the composition's float32 operations in its order, so parameters and buffers are bit for
 * bit what the tfjs ops give (tests/engine/backend/simd-kernels.test.ts).
 *
 * Inputs: p, g (and b, the momentum buffer, when μ > 0; mask when pruning), all of p's shape,
 * float32. Attributes: lr, momentum μ, weightDecay, nesterov. Outputs: [p'] or [p', b'].
 * Only where our kernels are attached to the live backend (`hasSgdUpdateKernel`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import {
  WASM,
  WasmKernelError,
  assertSameShape,
  ownKernelLive,
  requireSimdKernels,
} from './compose';

export const SGD_UPDATE = 'AdvPruneSgdUpdate';

export interface SgdUpdateAttrs {
  lr: number;
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
}

const sgdUpdate: KernelFunc = ({ inputs, backend, attrs }) => {
  const { p, g, b, mask } = inputs as {
    p: TensorInfo;
    g: TensorInfo;
    b?: TensorInfo;
    mask?: TensorInfo;
  };
  const a = attrs as unknown as SgdUpdateAttrs;
  const k = requireSimdKernels(SGD_UPDATE, backend);
  for (const [what, t] of [
    ['g', g],
    ['b', b],
    ['mask', mask],
  ] as const) {
    if (t !== undefined) assertSameShape(SGD_UPDATE, what, t.shape, p.shape);
  }
  if ([p, g, b, mask].some((t) => t !== undefined && t.dtype !== 'float32')) {
    throw new WasmKernelError(SGD_UPDATE, 'every input must be float32');
  }
  if ((b !== undefined) !== a.momentum > 0) {
    throw new WasmKernelError(
      SGD_UPDATE,
      'a momentum buffer goes with momentum > 0, and only then',
    );
  }
  const pOut = k.backend.makeOutput([...p.shape], 'float32');
  const bOut = b === undefined ? undefined : k.backend.makeOutput([...p.shape], 'float32');
  const n = tf.util.sizeFromShape(p.shape);
  if (n > 0) {
    const at = (t: TensorInfo | undefined) => (t === undefined ? 0 : k.offset(t));
    k.exports.sgdUpdate(
      k.offset(p),
      at(b),
      k.offset(g),
      at(mask),
      k.offset(pOut),
      at(bOut),
      n,
      a.lr,
      a.momentum,
      a.weightDecay,
      a.nesterov ? 1 : 0,
    );
  }
  return bOut === undefined ? [pOut] : [pOut, bOut];
};

export const sgdUpdateConfig: KernelConfig = {
  kernelName: SGD_UPDATE,
  backendName: WASM,
  kernelFunc: sgdUpdate,
};

/** Whether the SGD update can run as our one kernel on the live backend. */
export function hasSgdUpdateKernel(): boolean {
  return ownKernelLive(SGD_UPDATE);
}

/**
 * `AdvPruneAllFinite` (our name, WASM): a bool scalar, true when every element of every input
 * (float32, any shapes, any number of inputs named as you like) is finite. The training step's
 * guard before it commits an update (src/engine/train/step.ts), which otherwise reshapes and
 * concatenates every new parameter and buffer and runs IsFinite and All (~23 kernels a LeNet step).
 */
export const ALL_FINITE = 'AdvPruneAllFinite';

interface BoolHeapBackend {
  makeOutput(shape: number[], dtype: 'bool'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Uint8Array;
}

const allFinite: KernelFunc = ({ inputs, backend }) => {
  const k = requireSimdKernels(ALL_FINITE, backend);
  const tensors = Object.values(inputs) as TensorInfo[];
  for (const t of tensors) {
    if (t.dtype !== 'float32') {
      throw new WasmKernelError(ALL_FINITE, `every input must be float32, got ${t.dtype}`);
    }
  }
  const ok = tensors.every((t) => {
    const n = tf.util.sizeFromShape(t.shape);
    return n === 0 || k.exports.allFinite(k.offset(t), n) === 1;
  });
  const b = backend as unknown as BoolHeapBackend;
  const out = b.makeOutput([], 'bool'); // scalar
  b.typedArrayFromHeap(out)[0] = ok ? 1 : 0;
  return out;
};

export const allFiniteConfig: KernelConfig = {
  kernelName: ALL_FINITE,
  backendName: WASM,
  kernelFunc: allFinite,
};

/** Whether the finiteness guard can run as our one kernel on the live backend. */
export function hasAllFiniteKernel(): boolean {
  return ownKernelLive(ALL_FINITE);
}

/** Run `AdvPruneAllFinite` on `tensors` (inputs named t0, t1, …): a bool scalar. */
export function allFiniteKernel(tensors: tf.Tensor[]): tf.Scalar {
  const inputs = Object.fromEntries(tensors.map((t, i) => [`t${i}`, t]));
  return tf.engine().runKernel(ALL_FINITE, inputs) as tf.Scalar;
}
