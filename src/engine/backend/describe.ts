/**
 * A plain-data description of the live tfjs backend, for experiment reports: which backend, its
 * float precision, WASM SIMD / threads and the kernels we added, WebGPU adapter facts (a
 * SwiftShader adapter reports `isFallbackAdapter: true`: software, slow), the WebGL version.
 */
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { gradientsRegistered } from './gradients';
import { simdKernelStatus } from './simd/runtime';
import { wasmTrainingKernels } from './wasm-kernels';

export interface BackendDescription {
  /** the live backend, e.g. 'wasm' */
  name: string;
  /** bits of float precision the backend computes with (16 or 32) */
  floatPrecision: number;
  /** whether tfjs's gradient functions are registered (training needs them) */
  gradients: boolean;
  wasm?: {
    /** WebAssembly SIMD in use */
    simd: boolean;
    /** WebAssembly threads available (needs cross-origin isolation in browsers) */
    multithread: boolean;
    /**
     * the binary tfjs loaded: 'threaded-simd' needs SIMD and threads (a cross-origin isolated
     * page), 'simd' otherwise, 'plain' without SIMD
     */
    binary: 'threaded-simd' | 'simd' | 'plain';
    /**
     * threads the WASM backend computes on, the calling one included: our kernels' (the caller
     * and its helpers) where they run with helpers, else XNNPACK's pool
     */
    threads: number;
    /**
     * threads of tfjs's own XNNPACK pool: 1 where our kernels have helpers (initBackend's
     * `xnnpackThreads`: two pools on the same cores oversubscribe them)
     */
    xnnpackThreads: number;
    /**
     * `crossOriginIsolated` of the global scope (browsers; undefined in Node): false means the
     * server does not send COOP/COEP and WASM runs single-threaded (docs/backends.md)
     */
    crossOriginIsolated?: boolean;
    /** training kernels we added / replaced (./wasm-kernels.ts) */
    kernelsAdded: string[];
    kernelsReplaced: string[];
    /**
     * kernels that run our own WebAssembly code where it applies (`wasmTrainingKernels().simd`),
     * whether that code is attached to this backend, and why not when it is not; the threads our
     * kernels over a batch run on (the calling one and its helpers, ./simd/helpers.ts)
     */
    simdKernels: { kernels: string[]; attached: boolean; threads?: number; note?: string };
  };
  webgpu?: {
    vendor?: string;
    architecture?: string;
    /** true for a software adapter (e.g. SwiftShader); undefined when not discoverable */
    isFallbackAdapter?: boolean;
  };
  webgl?: { version?: number };
}

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { isFallbackAdapter?: boolean };
}
interface NavigatorLike {
  gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> };
}

async function fallbackAdapter(): Promise<boolean | undefined> {
  const nav = (globalThis as { navigator?: NavigatorLike }).navigator;
  try {
    const adapter = await nav?.gpu?.requestAdapter();
    return adapter?.info?.isFallbackAdapter ?? adapter?.isFallbackAdapter ?? undefined;
  } catch {
    return undefined;
  }
}

async function flag(name: string): Promise<boolean> {
  try {
    return Boolean(await tf.env().getAsync(name));
  } catch {
    return false;
  }
}

/**
 * Describe the live backend (call after `initBackend`). Resolves to plain data that survives
 * `JSON.stringify` and `postMessage`.
 */
export async function describeBackend(): Promise<BackendDescription> {
  const name = tf.getBackend();
  const live = tf.backend() as tf.KernelBackend & {
    adapterInfo?: { vendor?: string; architecture?: string };
  };
  const out: BackendDescription = {
    name,
    floatPrecision: live.floatPrecision(),
    gradients: gradientsRegistered(),
  };
  if (name === 'wasm') {
    const kernels = wasmTrainingKernels();
    const simd = await flag('WASM_HAS_SIMD_SUPPORT');
    const multithread = await flag('WASM_HAS_MULTITHREAD_SUPPORT');
    const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
    const status = simdKernelStatus();
    const xnnpackThreads = getThreadsCount();
    out.wasm = {
      simd,
      multithread,
      // tfjs-backend-wasm's rule (getPathToWasmBinary): threaded only with SIMD and threads
      binary: simd && multithread ? 'threaded-simd' : simd ? 'simd' : 'plain',
      threads: Math.max(xnnpackThreads, status.attached ? (status.threads ?? 1) : 1),
      xnnpackThreads,
      crossOriginIsolated: typeof isolated === 'boolean' ? isolated : undefined,
      kernelsAdded: kernels.added,
      kernelsReplaced: kernels.replaced,
      simdKernels: { kernels: kernels.simd, ...status },
    };
  } else if (name === 'webgpu') {
    out.webgpu = {
      vendor: live.adapterInfo?.vendor,
      architecture: live.adapterInfo?.architecture,
      isFallbackAdapter: await fallbackAdapter(),
    };
  } else if (name === 'webgl') {
    let version: number | undefined;
    try {
      version = tf.env().getNumber('WEBGL_VERSION');
    } catch {
      version = undefined;
    }
    out.webgl = { version };
  }
  return out;
}
