/**
 * Convolution / matrix product + bias + ReLU as ONE kernel (`FusedConv2D` / `_FusedMatMul`, which
 * every tfjs backend has: XNNPACK adds the bias and clamps in its output pass on WASM, one shader
 * on WebGPU / WebGL), in training and in attacks too.
 *
 * Why: tfjs's `tf.fused.conv2d` / `tf.fused.matMul` fall back to three unfused kernels (conv, add,
 * relu) whenever a gradient tape is recording and the activation is not linear (`shouldFuse` in
 * tfjs-core), i.e. in every training step and every attack step. This module registers gradients
 * for the two fused kernels and runs them directly, so the forward pass stays fused under a tape.
 *
 * Gradient (the unfused chain's, Rumelhart et al. 1986 backpropagation): with z = conv(x, W) + b
 * (or x·W + b) and y = act(z), act ∈ {linear, relu}:
 *   dz = dy ⊙ step(y) (relu: 1 where y > 0, else 0, as tfjs's Relu gradient) or dz = dy (linear),
 *   dx = Conv2DBackpropInput(dz, W), dW = Conv2DBackpropFilter(x, dz), db = Σ over all but the
 *   channel axis of dz (matmul: dx = dz·Wᵀ, dW = xᵀ·dz, db = Σ_batch dz).
 * Each input's gradient is computed only when the tape asks for it (an input image's gradient is
 * skipped in a plain training step). Second-order gradients through these kernels are not
 * supported (nothing here takes them).
 *
 * Shapes: conv x `[B, H, W, Cin]`, filter `[kh, kw, Cin, Cout]`, bias `[Cout]` → `[B, H', W', Cout]`
 * (NHWC, dilation 1); matmul a `[B, in]`, b `[in, out]`, bias `[out]` → `[B, out]` (no transposes;
 * the kernel itself runs on batched `[1, B, in]`·`[1, in, out]`, as tf.fused.matMul calls it).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap, NamedTensorMap } from '@tensorflow/tfjs-core';
import { RELU_GRAD } from '../backend/kernels/simd-overrides';

export type FusedActivation = 'linear' | 'relu';

interface ConvAttrs {
  strides: [number, number];
  pad: 'valid' | 'same' | number;
  dataFormat: 'NHWC';
  dilations: [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation: FusedActivation;
  leakyreluAlpha?: number;
}

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation: FusedActivation;
  leakyreluAlpha?: number;
}

/**
 * The bias as a tensor with its own buffer when the backend stores another shape for its data:
 * tfjs-backend-wasm's fused kernels read the bias's rank from the backend's storage, which a
 * reshape shares with its source (a `[1, 1, 1, C]` tensor reshaped to `[C]` reads as rank 4).
 */
function ownBias(bias: tf.Tensor): tf.Tensor {
  const storage = (tf.backend() as { dataIdMap?: { get(id: object): { shape?: number[] } } })
    .dataIdMap;
  const stored = storage?.get(bias.dataId)?.shape;
  return stored === undefined || stored.length === bias.rank ? bias : tf.add(bias, 0);
}

function run(kernel: string, inputs: NamedTensorMap, attrs: object): tf.Tensor {
  return tf.engine().runKernel(kernel, inputs, attrs as unknown as NamedAttrMap) as tf.Tensor;
}

/** dL/dz from dL/dy for y = act(z), given y. */
function preActivationGrad(dy: tf.Tensor, y: tf.Tensor, activation: string): tf.Tensor {
  if (activation === 'linear') return dy;
  // tfjs's own Relu gradient: dy ⊙ step(y) (step(NaN) = NaN, so a NaN activation stays visible);
  // on WASM one kernel of ours that computes exactly that (src/engine/backend/kernels/simd-overrides.ts)
  if (activation === 'relu') {
    if (tf.getKernel(RELU_GRAD, tf.getBackend()) !== undefined)
      return run(RELU_GRAD, { dy, y }, {});
    return tf.mul(dy, tf.step(y));
  }
  throw new Error(`fused gradient: activation '${activation}' is not supported`);
}

let registered = false;

/** Registers the gradients of FusedConv2D and _FusedMatMul (idempotent). */
export function registerFusedGradients(): void {
  if (registered) return;
  registered = true;
  if (tf.getGradient('FusedConv2D') === undefined) {
    tf.registerGradient({
      kernelName: 'FusedConv2D',
      inputsToSave: ['x', 'filter'],
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => {
        const [x, filter, y] = saved;
        const a = attrs as unknown as ConvAttrs;
        const dz = preActivationGrad(dy as tf.Tensor, y, a.activation); // [B, H', W', Cout]
        const conv = {
          strides: a.strides,
          pad: a.pad,
          dataFormat: 'NHWC',
          dimRoundingMode: a.dimRoundingMode,
        };
        return {
          x: () => run('Conv2DBackpropInput', { dy: dz, filter }, { ...conv, inputShape: x.shape }),
          filter: () =>
            run('Conv2DBackpropFilter', { x, dy: dz }, { ...conv, filterShape: filter.shape }),
          bias: () => tf.sum(dz, [0, 1, 2]), // [Cout]
        };
      },
    });
  }
  if (tf.getGradient('_FusedMatMul') === undefined) {
    tf.registerGradient({
      kernelName: '_FusedMatMul',
      inputsToSave: ['a', 'b'],
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => {
        const [a, b, y] = saved;
        const at = attrs as unknown as MatMulAttrs;
        if (at.transposeA || at.transposeB)
          throw new Error('fused matMul gradient: transposed operands are not supported');
        const dz = preActivationGrad(dy as tf.Tensor, y, at.activation); // [1, B, out]
        return {
          a: () => tf.matMul(dz, b, false, true), // [1, B, in]
          b: () => tf.matMul(a, dz, true, false), // [1, in, out]
          bias: () => tf.sum(dz, [0, 1]), // [out]
        };
      },
    });
  }
}

/** conv2d(x, filter) + bias, then the activation, as one kernel. Shapes: file comment. */
export function fusedConv2d(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor,
  stride: number,
  pad: 'valid' | 'same',
  activation: FusedActivation,
): tf.Tensor4D {
  registerFusedGradients();
  const attrs: ConvAttrs = {
    strides: [stride, stride],
    pad,
    dataFormat: 'NHWC',
    dilations: [1, 1],
    activation,
    leakyreluAlpha: 0.2,
  };
  return tf.tidy(() =>
    run('FusedConv2D', { x, filter, bias: ownBias(bias) }, attrs),
  ) as tf.Tensor4D;
}

/** a·b + bias, then the activation, as one kernel. Shapes: file comment. */
export function fusedMatMul(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  bias: tf.Tensor,
  activation: FusedActivation,
): tf.Tensor2D {
  registerFusedGradients();
  const attrs: MatMulAttrs = {
    transposeA: false,
    transposeB: false,
    activation,
    leakyreluAlpha: 0.2,
  };
  return tf.tidy(() => {
    // the kernel takes batched operands, as tf.fused.matMul passes them
    const a3 = tf.reshape(a, [1, ...a.shape]); // [1, B, in]
    const b3 = tf.reshape(b, [1, ...b.shape]); // [1, in, out]
    const y = run('_FusedMatMul', { a: a3, b: b3, bias: ownBias(bias) }, attrs); // [1, B, out]
    return tf.reshape(y, [a.shape[0], b.shape[1]]) as tf.Tensor2D;
  });
}
