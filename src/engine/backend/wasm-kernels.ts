/**
 * Training kernels for the tfjs WASM backend.
 *
 * tfjs-backend-wasm 4.22 lacks kernels that gradients need, so training a conv net on WASM throws
 * ("kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'"). We add them, each built
 * from kernels the backend has (details and citations in each file under ./kernels):
 *
 * | kernel                              | gradient of            | built on                     |
 * |-------------------------------------|------------------------|------------------------------|
 * | Conv2DBackpropFilter                | conv2d (filter)        | XNNPACK Conv2D (batch↔chan)  |
 * | DepthwiseConv2dNativeBackpropFilter | depthwiseConv2d (filt) | the above, block diagonal    |
 * | DepthwiseConv2dNativeBackpropInput  | depthwiseConv2d (x)    | Conv2DBackpropInput          |
 * | UnsortedSegmentSum                  | gather                 | Equal + BatchMatMul          |
 * | AdvPruneReluGrad (our name)         | relu, from its output  | our SIMD code, or Step + Mul |
 * | AdvPruneSoftmaxCE(Grad) (our names) | (is) softmax CE        | our WebAssembly code only    |
 * | AdvPruneSgdUpdate (our name)        | (an SGD step)          | our WebAssembly code only    |
 * | AdvPruneAllFinite (our name)        | (the update's guard)   | our WebAssembly code only    |
 *
 * With `replaceSlow`, the forward convolution and 2×2 max pooling, both gradients of a
 * convolution, bias sums and the matrix products (`BatchMatMul`, `_FusedMatMul`: our GEMM, every
 * size, where XNNPACK builds an operator for every new operand) also run our own WebAssembly SIMD
 * code once `attachSimdKernels`
 * (./simd/runtime.ts; initBackend calls it) attaches it to the backend
 * (./kernels/simd-overrides.ts), falling back to the kernels above elsewhere.
 *
 * A kernel is only added when `tf.getKernel(name, 'wasm')` finds none, so a future tfjs that
 * ships it keeps its own. With `replaceSlow`, two kernels the backend has but runs as plain loops
 * (`Conv2DBackpropInput`, transposed `BatchMatMul`) are also replaced by faster compositions that
 * fall back to the originals outside their supported cases (./kernels/fast-overrides.ts).
 *
 * Registration works before or after the WASM backend is initialized; call it before the first
 * gradient on WASM (`initBackend` does).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { WASM } from './kernels/compose';
import { conv2DBackpropFilterConfig } from './kernels/conv2d-backprop-filter';
import {
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
} from './kernels/depthwise-backprop';
import { FAST_OVERRIDES } from './kernels/fast-overrides';
import { SIMD_OVERRIDES, reluGradConfig } from './kernels/simd-overrides';
import { allFiniteConfig, sgdUpdateConfig } from './kernels/sgd-update';
import { softmaxCEConfigs, softmaxCEGradConfig } from './kernels/softmax-ce';
import { unsortedSegmentSumConfig } from './kernels/unsorted-segment-sum';

/** Kernels tfjs-backend-wasm 4.22 lacks and we provide. */
export const MISSING_WASM_KERNELS: readonly KernelConfig[] = [
  conv2DBackpropFilterConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  unsortedSegmentSumConfig,
  reluGradConfig,
  ...softmaxCEConfigs,
  sgdUpdateConfig,
  allFiniteConfig,
];

/** Kernels of ours with our own names (all run our WebAssembly code once it is attached). */
const OWN_KERNELS: readonly string[] = [
  reluGradConfig,
  ...softmaxCEConfigs,
  sgdUpdateConfig,
  allFiniteConfig,
].map((c) => c.kernelName);

/** Kernels WASM has but runs slowly, which `replaceSlow` swaps for faster compositions. */
export const SLOW_WASM_KERNELS: readonly string[] = Object.keys(FAST_OVERRIDES);

export interface WasmKernelOptions {
  /**
   * Also replace the slow `Conv2DBackpropInput` and transposed `BatchMatMul` kernels. Default
   * false. Measured 2-11× faster per kernel and about 1.8× per FGSM-training step of a LeNet
   * (docs/backends.md); tested against the CPU backend (tests/engine/backend/).
   */
  replaceSlow?: boolean;
}

/** What this module has registered so far (kernel names). */
export interface WasmKernelReport {
  /** kernels that were missing and are now provided */
  added: string[];
  /** existing kernels replaced by faster compositions (only with `replaceSlow`) */
  replaced: string[];
  /**
   * kernels that run our WebAssembly code (wasm/kernels.ts) where it applies, once
   * `attachSimdKernels` has attached it to the backend: the wrapped tfjs kernels of
   * ./kernels/simd-overrides.ts and our MaxPoolGrad (only with `replaceSlow`), and the kernels of
   * ours that have our own names
   */
  simd: string[];
}

const added = new Set<string>();
const replaced = new Set<string>();
const simdWrapped = new Set<string>();

/**
 * Register the missing WASM training kernels (and, with `replaceSlow`, the faster replacements).
 * Idempotent: a kernel is registered at most once per process, and calling again with
 * `replaceSlow: false` never undoes an earlier replacement. Returns everything registered so far.
 */
export function registerWasmTrainingKernels(options: WasmKernelOptions = {}): WasmKernelReport {
  for (const config of MISSING_WASM_KERNELS) {
    if (tf.getKernel(config.kernelName, WASM) === undefined) {
      tf.registerKernel(config);
      added.add(config.kernelName);
    }
  }
  if (tf.getGradient(softmaxCEGradConfig.kernelName) === undefined) {
    tf.registerGradient(softmaxCEGradConfig);
  }
  if (options.replaceSlow === true) {
    for (const [name, build] of Object.entries(FAST_OVERRIDES)) {
      const original = tf.getKernel(name, WASM);
      if (original === undefined || replaced.has(name)) continue;
      tf.unregisterKernel(name, WASM); // re-registering would warn; the copy keeps setupFunc
      tf.registerKernel(build(original));
      replaced.add(name);
    }
    // our SIMD convolutions wrap whatever serves each kernel now (falling back to it); they stay
    // inert until attachSimdKernels (initBackend) attaches the compiled kernels to a backend
    for (const [name, build] of Object.entries(SIMD_OVERRIDES)) {
      const original = tf.getKernel(name, WASM);
      if (original === undefined || simdWrapped.has(name)) continue;
      tf.unregisterKernel(name, WASM);
      tf.registerKernel(build(original));
      simdWrapped.add(name);
    }
  }
  return wasmTrainingKernels();
}

/** The kernels registered by `registerWasmTrainingKernels` so far. */
export function wasmTrainingKernels(): WasmKernelReport {
  return {
    added: [...added].sort(),
    replaced: [...replaced].sort(),
    simd: [
      ...simdWrapped,
      ...(replaced.has('MaxPoolGrad') ? ['MaxPoolGrad'] : []),
      ...OWN_KERNELS.filter((name) => added.has(name)),
    ].sort(),
  };
}
