/**
 * The one place that chooses the tfjs backend.
 *
 * Order of preference: in a browser (or worker) WebGPU, WebGL, WASM, CPU; in Node WASM, CPU
 * (tfjs-node cannot be installed here: it downloads a binary). The caller may force one; the
 * result says which backend is live and why each other candidate was not used.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './wasm-kernels';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BROWSER_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
export const NODE_ORDER: readonly BackendName[] = ['wasm', 'cpu'];

export interface BackendChoice {
  /** the live backend */
  name: BackendName;
  /** why the live backend was picked */
  reason: string;
  /** candidate → why it was not used (skipped, failed to initialize, or lower in the order) */
  notUsed: Partial<Record<BackendName, string>>;
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
}

function detectPlatform(): 'node' | 'browser' {
  const g = globalThis as { process?: { versions?: { node?: string } } };
  return g.process?.versions?.node !== undefined ? 'node' : 'browser';
}

/**
 * Initialize the best available backend. Safe to call again (e.g. to switch backends).
 */
export async function initBackend(opts: InitBackendOptions = {}): Promise<BackendChoice> {
  const platform = opts.platform ?? detectPlatform();
  const order = platform === 'node' ? NODE_ORDER : BROWSER_ORDER;
  const candidates = opts.prefer ? [opts.prefer, ...order.filter((b) => b !== opts.prefer)] : [...order];
  const notUsed: Partial<Record<BackendName, string>> = {};
  registerWasmTrainingKernels();
  for (const name of candidates) {
    if (platform === 'node' && (name === 'webgpu' || name === 'webgl')) {
      notUsed[name] = 'not available in Node';
      continue;
    }
    try {
      if ((name === 'webgpu' || name === 'webgl') && tf.findBackendFactory(name) === null) {
        if (!opts.loadBrowserBackend) throw new Error('backend not loaded');
        await opts.loadBrowserBackend(name);
      }
      const ok = await tf.setBackend(name);
      if (!ok) throw new Error('initialization failed');
      await tf.ready();
      const reason =
        opts.prefer === name
          ? 'requested'
          : `first available in the ${platform} order (${order.join(' → ')})`;
      for (const other of order) if (other !== name && !(other in notUsed)) notUsed[other] = `${name} preferred`;
      return { name, reason, notUsed };
    } catch (e) {
      notUsed[name] = e instanceof Error ? e.message : String(e);
    }
  }
  throw new Error(`No tfjs backend could be initialized: ${JSON.stringify(notUsed)}`);
}
