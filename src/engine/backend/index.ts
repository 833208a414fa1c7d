/**
 * The one place that chooses the tfjs backend.
 *
 * Order of preference: in a browser (or worker) WebGPU, WebGL, WASM, CPU; in Node WASM, CPU
 * (tfjs-node cannot be installed here: it downloads a binary; the CPU backend is ~100× slower
 * than WASM in Node). The caller may force one; the others follow as fallbacks. The result says
 * which backend is live and why each other candidate was not used. Initialization also registers
 * tfjs's gradients (./gradients.ts) and the WASM training kernels tfjs lacks (./wasm-kernels.ts),
 * so every backend it returns can train conv nets. See docs/backends.md.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { ensureGradients } from './gradients';
import { attachSimdKernels, detachSimdKernels } from './simd/runtime';
import { canBlock, type SpawnSimdHelper } from './simd/helpers';
import { registerWasmTrainingKernels } from './wasm-kernels';
import { defaultWasmThreads, withThreadedWasmSetup } from './wasm-threads';

export { describeBackend, type BackendDescription } from './describe';
export { registerWasmTrainingKernels, wasmTrainingKernels } from './wasm-kernels';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BROWSER_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
export const NODE_ORDER: readonly BackendName[] = ['wasm', 'cpu'];
const ALL: readonly string[] = BROWSER_ORDER;

/** Bad options, or no backend could start (the message lists each candidate's failure). */
export class BackendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendError';
  }
}

export interface BackendChoice {
  /** the live backend */
  name: BackendName;
  /** why the live backend was picked */
  reason: string;
  /** candidate → why it was not used (skipped, failed to initialize, or lower in the order) */
  notUsed: Partial<Record<BackendName, string>>;
  /** whether this call registered tfjs's gradients or found them registered */
  gradients: 'registered' | 'already registered';
}

export interface InitBackendOptions {
  /** force this backend first; the others follow in the usual order as fallbacks */
  prefer?: BackendName;
  /** 'node' or 'browser'; detected when omitted */
  platform?: 'node' | 'browser';
  /**
   * Loads the backends that are not bundled for Node (webgpu, webgl). The worker passes a function
   * that dynamically imports `@tensorflow/tfjs-backend-webgpu` / `-webgl`, so Node never loads them.
   */
  loadBrowserBackend?: (name: 'webgpu' | 'webgl') => Promise<void>;
  /**
   * Where the browser finds the WASM binaries (a folder URL ending in '/', or a map from file name
   * to URL), passed to `setWasmPaths` before the WASM backend first starts. Node needs none.
   */
  wasmPaths?: string | Record<string, string>;
  /**
   * also swap WASM's slow Conv2DBackpropInput / transposed BatchMatMul for ours (./wasm-kernels.ts;
   * both tested against the CPU backend); default true: it nearly halves a conv training step
   */
  replaceSlowWasmKernels?: boolean;
  /**
   * Threads of the multi-threaded WASM build (used where the page is cross-origin isolated, and
   * in Node with `nodeThreadedWasm`; elsewhere one thread). Integer ≥ 1; default
   * `defaultWasmThreads()`: navigator.hardwareConcurrency capped at 4 (tfjs's own default halves
   * it, 1 thread on 2 vCPUs). Takes effect when the WASM backend first starts.
   */
  wasmThreads?: number;
  /**
   * Node only: starts tfjs's threaded WASM build, which tfjs never picks in Node by itself
   * (`nodeThreadedWasm` of src/node/wasm-threads.ts, a Node-only module; `nodeWasmOptions()` there
   * gives both options). Without it, or with `wasmThreads` 1, Node runs one thread.
   */
  nodeThreadedWasm?: ThreadedWasmStart;
  /**
   * WASM: attach our own WebAssembly kernels (./simd/runtime.ts; which kernels:
   * `describeBackend().wasm.simdKernels`, docs/backends.md). Default true; false keeps tfjs's
   * kernels and ops (the benchmarks compare the two).
   */
  simdKernels?: boolean;
  /**
   * WASM with threads: starts `wasmThreads − 1` helper threads for our kernels over a batch
   * (./simd/helpers.ts), so they use the cores tfjs's own pool uses. Environment-specific: Node's
   * comes with `nodeWasmOptions()` (src/node/simd-helpers.ts), the browser's with the engine
   * worker (src/workers/simd-helper.worker.ts). Without it our kernels run on the calling thread.
   */
  simdHelpers?: SpawnSimdHelper;
  /**
   * Threads of tfjs's own XNNPACK pool in the threaded WASM build. Default: 1 where our kernels
   * get helper threads (`simdHelpers`, `wasmThreads` > 1, `simdKernels` on), else `wasmThreads`.
   * Why 1: our kernels then run every heavy kernel of a conv net's step on `wasmThreads` threads,
   * and two pools on the same cores oversubscribe them (docs/benchmarks.md).
   */
  xnnpackThreads?: number;
}

/** Runs `start` (the WASM backend's start) so that it comes up with `threads` threads. */
export type ThreadedWasmStart = (
  threads: number,
  start: () => Promise<boolean>,
) => Promise<boolean>;

function detectPlatform(): 'node' | 'browser' {
  const g = globalThis as { process?: { versions?: { node?: string } } };
  return g.process?.versions?.node !== undefined ? 'node' : 'browser';
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

let wasmPathsSet = false;

/** Start one backend; throws with the reason when it cannot. */
async function tryBackend(name: BackendName, opts: InitBackendOptions): Promise<void> {
  if ((name === 'webgpu' || name === 'webgl') && tf.findBackendFactory(name) === null) {
    if (!opts.loadBrowserBackend)
      throw new Error('backend not loaded (no loadBrowserBackend given)');
    await opts.loadBrowserBackend(name);
    if (tf.findBackendFactory(name) === null) throw new Error('loader did not register it');
  }
  if (name === 'wasm' && opts.wasmPaths !== undefined && !wasmPathsSet) {
    setWasmPaths(opts.wasmPaths);
    wasmPathsSet = true;
  }
  const threads = opts.wasmThreads ?? defaultWasmThreads();
  // (canBlock: helpers need a caller that may wait for them, i.e. not a browser's UI thread)
  const helped =
    (opts.simdKernels ?? true) && opts.simdHelpers !== undefined && threads > 1 && canBlock();
  const xnnpack = opts.xnnpackThreads ?? (helped ? 1 : threads);
  const start = () => tf.setBackend(name);
  let ok: boolean;
  if (name !== 'wasm') ok = await start();
  else if (detectPlatform() === 'browser') {
    // WASM in a cross-origin isolated page starts its threaded build: see ./wasm-threads.ts
    setThreadsCount(xnnpack);
    ok = await withThreadedWasmSetup(threads, start);
  } else if (opts.nodeThreadedWasm !== undefined && threads > 1) {
    // Node: only with the Node-only helper of src/node/wasm-threads.ts
    setThreadsCount(xnnpack);
    ok = await opts.nodeThreadedWasm(threads, start);
  } else ok = await start();
  if (!ok) throw new Error('initialization failed');
  await tf.ready();
  if (name === 'wasm') {
    if (opts.simdKernels ?? true) {
      const helpers =
        opts.simdHelpers !== undefined && threads > 1
          ? { helpers: threads - 1, spawn: opts.simdHelpers }
          : undefined;
      await attachSimdKernels(tf.backend(), helpers);
    } else detachSimdKernels();
  }
}

/**
 * Initialize the best available backend. Safe to call again (e.g. to switch backends: tensors
 * made on the previous backend stay there). Throws a `BackendError` for an unknown `prefer` or
 * `platform`, or when no candidate starts.
 */
export async function initBackend(opts: InitBackendOptions = {}): Promise<BackendChoice> {
  const platform = opts.platform ?? detectPlatform();
  if (platform !== 'node' && platform !== 'browser') {
    throw new BackendError(`platform must be 'node' or 'browser', got '${String(platform)}'`);
  }
  if (opts.prefer !== undefined && !ALL.includes(opts.prefer)) {
    throw new BackendError(
      `unknown backend '${String(opts.prefer)}'; expected one of ${ALL.join(', ')}`,
    );
  }
  const threads = opts.wasmThreads;
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
    throw new BackendError(`wasmThreads must be an integer ≥ 1, got ${String(threads)}`);
  }
  const order = platform === 'node' ? NODE_ORDER : BROWSER_ORDER;
  const orderText = `${platform} order (${order.join(' → ')})`;
  const prefer = opts.prefer;
  const candidates = prefer ? [prefer, ...order.filter((b) => b !== prefer)] : [...order];
  const gradients = await ensureGradients(platform);
  registerWasmTrainingKernels({ replaceSlow: opts.replaceSlowWasmKernels ?? true });
  const notUsed: Partial<Record<BackendName, string>> = {};
  for (const name of candidates) {
    if (platform === 'node' && (name === 'webgpu' || name === 'webgl')) {
      notUsed[name] = 'not available in Node';
      continue;
    }
    try {
      await tryBackend(name, opts);
    } catch (e) {
      notUsed[name] = message(e);
      continue;
    }
    let reason: string;
    if (prefer === name) reason = 'requested';
    else if (prefer !== undefined) {
      reason = `${prefer} was requested but is unusable (${notUsed[prefer] ?? 'unknown'}); ${name} is the next available in the ${orderText}`;
    } else reason = `first available in the ${orderText}`;
    for (const other of BROWSER_ORDER) {
      if (other !== name && !(other in notUsed)) {
        notUsed[other] = order.includes(other)
          ? `not tried: ${name} came first`
          : `not in the ${orderText}`;
      }
    }
    return { name, reason, notUsed, gradients };
  }
  throw new BackendError(`No tfjs backend could be initialized: ${JSON.stringify(notUsed)}`);
}
