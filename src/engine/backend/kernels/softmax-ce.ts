/**
 * Softmax cross-entropy per sample as ONE kernel on WASM, with its gradient as one more
 * (`AdvPruneSoftmaxCE`, `AdvPruneSoftmaxCEGrad`: our names, our WebAssembly code in
 * wasm/kernels.ts). The loss of every attack step and training step (src/engine/attacks/losses.ts
 * `crossEntropy`) otherwise runs as ~12 small tfjs kernels forward and ~30 for its gradient,
 * ~0.55 ms a call at batch 64 on WASM where the arithmetic is microseconds: the time is tfjs's
 * per-kernel JavaScript (~5 µs a kernel).
 *
 * Definition (the usual one; e.g. Goodfellow, Bengio and Courville 2016, "Deep Learning", §6.2.2):
 *   loss_i = log Σ_j exp z_ij − z_{i,y_i},   ∂loss_i/∂z_ij = softmax(z_i)_j − [j = y_i],
 * computed with the row maximum subtracted first. Shapes: z `[B, K]` float32, y `[B]` int32
 * (a label outside [0, K) takes z_y = 0, as tfjs's oneHot does), loss `[B]`. Float32 throughout;
 * results equal the tfjs composition up to rounding (tests/engine/backend/simd-kernels.test.ts).
 *
 * Only where our kernels are attached to the live backend (`hasSimdKernels`); elsewhere the
 * caller composes tfjs ops.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { WASM, WasmKernelError, ownKernelLive, requireSimdKernels } from './compose';

export const SOFTMAX_CE = 'AdvPruneSoftmaxCE';
export const SOFTMAX_CE_GRAD = 'AdvPruneSoftmaxCEGrad';

function checkLogits(name: string, z: TensorInfo, y: TensorInfo): [number, number] {
  if (z.dtype !== 'float32' || z.shape.length !== 2) {
    throw new WasmKernelError(name, `logits must be float32 [B, K], got ${z.dtype} [${z.shape}]`);
  }
  if (y.dtype !== 'int32' || y.shape.length !== 1 || y.shape[0] !== z.shape[0]) {
    throw new WasmKernelError(
      name,
      `labels must be int32 [${z.shape[0]}], got ${y.dtype} [${y.shape}]`,
    );
  }
  return [z.shape[0], z.shape[1]];
}

const softmaxCE: KernelFunc = ({ inputs, backend }) => {
  const { z, y } = inputs as { z: TensorInfo; y: TensorInfo };
  const k = requireSimdKernels(SOFTMAX_CE, backend);
  const [b, classes] = checkLogits(SOFTMAX_CE, z, y);
  const loss = k.backend.makeOutput([b], 'float32'); // [B]
  if (b > 0) {
    if (classes === 0) throw new WasmKernelError(SOFTMAX_CE, 'logits need at least one class');
    k.exports.softmaxCE(k.offset(z), k.offset(y), k.offset(loss), b, classes);
  }
  return loss;
};

const softmaxCEGrad: KernelFunc = ({ inputs, backend }) => {
  const { z, y, dy } = inputs as { z: TensorInfo; y: TensorInfo; dy: TensorInfo };
  const k = requireSimdKernels(SOFTMAX_CE_GRAD, backend);
  const [b, classes] = checkLogits(SOFTMAX_CE_GRAD, z, y);
  if (dy.dtype !== 'float32' || dy.shape.length !== 1 || dy.shape[0] !== b) {
    throw new WasmKernelError(SOFTMAX_CE_GRAD, `dy must be float32 [${b}], got [${dy.shape}]`);
  }
  const dz = k.backend.makeOutput([b, classes], 'float32'); // [B, K]
  if (b * classes > 0) {
    k.exports.softmaxCEGrad(k.offset(z), k.offset(y), k.offset(dy), k.offset(dz), b, classes);
  }
  return dz;
};

export const softmaxCEConfigs: KernelConfig[] = [
  { kernelName: SOFTMAX_CE, backendName: WASM, kernelFunc: softmaxCE },
  { kernelName: SOFTMAX_CE_GRAD, backendName: WASM, kernelFunc: softmaxCEGrad },
];

export const softmaxCEGradConfig: GradConfig = {
  kernelName: SOFTMAX_CE,
  inputsToSave: ['z', 'y'],
  gradFunc: (dy, saved) => {
    const [z, y] = saved;
    return {
      z: () => tf.engine().runKernel(SOFTMAX_CE_GRAD, { z, y, dy: dy as tf.Tensor }) as tf.Tensor,
      y: () => tf.zerosLike(y), // labels: not differentiable
    };
  },
};

/** Whether `crossEntropy` can run as our one kernel on the live backend. */
export function hasSoftmaxCEKernel(): boolean {
  return ownKernelLive(SOFTMAX_CE);
}
