/**
 * Helpers for writing WASM kernels as compositions of other registered WASM kernels.
 *
 * A kernel function receives `TensorInfo`s (a data id, a shape, a dtype), not tensors. We call
 * other kernels' functions directly through the kernel registry, the way tfjs-backend-cpu and
 * tfjs-backend-wasm compose their own kernels: the engine never sees the intermediates, nothing is
 * recorded on the gradient tape, and every intermediate is released with `backend.disposeData`.
 * `Scope` tracks intermediates so a kernel cannot forget one, even when it throws.
 */
import * as tf from '@tensorflow/tfjs-core';
import type {
  KernelBackend,
  NamedAttrMap,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { simdKernels, type SimdKernels } from '../simd/runtime';

/** Our WebAssembly kernels attached to `backend`, or a WasmKernelError naming `kernel`. */
export function requireSimdKernels(kernel: string, backend: unknown): SimdKernels {
  const k = simdKernels(backend);
  if (k === undefined) {
    throw new WasmKernelError(kernel, 'our WebAssembly kernels are not attached to this backend');
  }
  return k;
}

/** Whether kernel `name` of ours can run on the live backend (WASM with our kernels attached). */
export function ownKernelLive(name: string): boolean {
  return simdKernels(tf.backend()) !== undefined && tf.getKernel(name, WASM) !== undefined;
}

/** Backend whose kernels the compositions call. */
export const WASM = 'wasm';

/** A WASM training kernel met an input it cannot handle (the message names the input). */
export class WasmKernelError extends Error {
  constructor(kernelName: string, message: string) {
    super(`${kernelName} (wasm): ${message}`);
    this.name = 'WasmKernelError';
  }
}

/**
 * Intermediate tensors of one kernel call. `run` calls a registered kernel of `backendName` and
 * keeps its output for disposal; `keep` hands one result out of the scope; `dispose` frees the
 * rest (call it in a `finally`).
 */
export class Scope {
  private readonly owned: TensorInfo[] = [];

  constructor(
    readonly backend: KernelBackend,
    private readonly backendName: string = WASM,
  ) {}

  /** Run kernel `name` on `inputs`; the output is owned by this scope. */
  run(name: string, inputs: NamedTensorInfoMap, attrs: object = {}): TensorInfo {
    const kernel = tf.getKernel(name, this.backendName);
    if (kernel === undefined) {
      throw new WasmKernelError(
        name,
        `kernel '${name}' is not registered for '${this.backendName}'`,
      );
    }
    const out = kernel.kernelFunc({
      inputs,
      backend: this.backend,
      attrs: attrs as NamedAttrMap,
    });
    if (Array.isArray(out)) throw new WasmKernelError(name, 'expected a single output');
    this.owned.push(out);
    return out;
  }

  /** Adopt a tensor info created outside `run` (e.g. by `backend.write`). */
  adopt(info: TensorInfo): TensorInfo {
    this.owned.push(info);
    return info;
  }

  /** A float32 or int32 constant owned by this scope. */
  constant(values: Float32Array | Int32Array, shape: number[]): TensorInfo {
    const dtype = values instanceof Int32Array ? 'int32' : 'float32';
    return this.adopt({ dataId: this.backend.write(values, shape, dtype), shape, dtype });
  }

  /** Remove `info` from the scope so it survives `dispose` (the kernel's result). */
  keep(info: TensorInfo): TensorInfo {
    const i = this.owned.indexOf(info);
    if (i >= 0) this.owned.splice(i, 1);
    return info;
  }

  /** Release every intermediate still owned. */
  dispose(): void {
    for (const info of this.owned) this.backend.disposeData(info.dataId);
    this.owned.length = 0;
  }
}

/**
 * Run `body` with a fresh scope and return its result; intermediates are freed even on error.
 * `backend` is the `backend` argument a kernel function receives.
 */
export function composed(backend: unknown, body: (s: Scope) => TensorInfo): TensorInfo {
  const scope = new Scope(backend as KernelBackend);
  try {
    return scope.keep(body(scope));
  } finally {
    scope.dispose();
  }
}

/** Normalize a `number | [number, number]` attribute to a pair. */
export function pair(v: number | [number, number] | undefined, fallback = 1): [number, number] {
  if (v === undefined) return [fallback, fallback];
  return typeof v === 'number' ? [v, v] : v;
}

/** Throw unless `shape` is rank 4 (NHWC / HWIO tensors). */
export function assertRank4(kernel: string, what: string, shape: readonly number[]): void {
  if (shape.length !== 4) {
    throw new WasmKernelError(kernel, `${what} must be rank 4, got shape [${shape.join(', ')}]`);
  }
}

/** Throw unless both shapes are equal. */
export function assertSameShape(
  kernel: string,
  what: string,
  got: readonly number[],
  want: readonly number[],
): void {
  if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
    throw new WasmKernelError(
      kernel,
      `${what} has shape [${got.join(', ')}], expected [${want.join(', ')}]`,
    );
  }
}
