/**
 * The dashboard's backend policy on top of `initBackend`: a software WebGPU adapter does not win
 * by default.
 *
 * Headless Chromium and machines without a usable GPU get a SwiftShader WebGPU adapter, which
 * reports `isFallbackAdapter: true` (GPUAdapter.info.isFallbackAdapter, or the older
 * GPUAdapter.isFallbackAdapter). It is software: one FGSM training step of a small conv net takes
 * about 6,400 ms there against about 300 ms on WASM (measured, /work/shared/DESIGN.md). So when no
 * backend is forced and the only WebGPU adapter is a fallback one, WASM is preferred (then the
 * usual order) and the choice says why; a forced `webgpu` (e.g. `?backend=webgpu`) still gets
 * WebGPU. In Node, or where `navigator.gpu` is missing, this is plain `initBackend`.
 */
import { initBackend, type BackendChoice, type InitBackendOptions } from './index';

/** What the WebGPU adapter says about itself (plain data). */
export interface WebGpuAdapterFacts {
  /** true for a software adapter (SwiftShader); undefined when the browser does not say */
  isFallbackAdapter?: boolean;
  vendor?: string;
  architecture?: string;
}

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { isFallbackAdapter?: boolean; vendor?: string; architecture?: string };
}
interface NavigatorLike {
  gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> };
}

/**
 * Ask `navigator.gpu` for an adapter and describe it; null when there is no WebGPU (no
 * `navigator.gpu`, no adapter, or the request fails). Works in pages and dedicated workers.
 */
export async function probeWebGpuAdapter(): Promise<WebGpuAdapterFacts | null> {
  const nav = (globalThis as { navigator?: NavigatorLike }).navigator;
  if (!nav?.gpu) return null;
  try {
    const a = await nav.gpu.requestAdapter();
    if (!a) return null;
    return {
      isFallbackAdapter: a.info?.isFallbackAdapter ?? a.isFallbackAdapter,
      vendor: a.info?.vendor,
      architecture: a.info?.architecture,
    };
  } catch {
    return null;
  }
}

export interface PolicyOptions extends InitBackendOptions {
  /** how to learn about the WebGPU adapter (default probeWebGpuAdapter; tests inject one) */
  probeAdapter?: () => Promise<WebGpuAdapterFacts | null>;
}

/** Why a fallback adapter loses by default (shown in `reason` and `notUsed.webgpu`). */
export const FALLBACK_ADAPTER_NOTE =
  "WebGPU's adapter is a software fallback (isFallbackAdapter: SwiftShader), about 20× slower " +
  'than WASM for training (6.4 s vs 0.3 s per conv step); force it with ?backend=webgpu';

/**
 * Initialize a backend under the dashboard policy (see the file comment). With `prefer` set, or
 * on Node, this is `initBackend(opts)`. Throws BackendError like initBackend.
 */
export async function initBackendWithPolicy(opts: PolicyOptions = {}): Promise<BackendChoice> {
  const { probeAdapter = probeWebGpuAdapter, ...init } = opts;
  const platform =
    init.platform ??
    ((globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node !==
    undefined
      ? 'node'
      : 'browser');
  if (init.prefer !== undefined || platform !== 'browser') return initBackend(init);
  const adapter = await probeAdapter();
  if (adapter?.isFallbackAdapter !== true) return initBackend(init);
  const choice = await initBackend({ ...init, platform, prefer: 'wasm' });
  const notUsed = { ...choice.notUsed, webgpu: FALLBACK_ADAPTER_NOTE };
  if (choice.name === 'wasm') {
    return { ...choice, reason: `wasm preferred: ${FALLBACK_ADAPTER_NOTE}`, notUsed };
  }
  if (choice.name === 'webgpu') return choice; // WASM failed and WebGPU came next: keep its reason
  return { ...choice, notUsed };
}
