/**
 * The engine's Web Worker entry: one engine Session (src/engine/session) exposed through Comlink,
 * plus the worker's own browser-only methods. All ML runs here, never on the UI thread. The API
 * is declared once (`EngineApi`, src/engine/session/api.ts, re-exported by protocol.ts): the
 * worker object below is a Session that implements it, so no signature is restated here. Only
 * plain data crosses the boundary (numbers, strings, typed arrays), never tensors. Callbacks
 * (`onTick`, `onProgress`, ...) arrive as Comlink proxies; exported files come back as
 * transferred ArrayBuffers. docs/worker-api.md.
 */
import '../engine/zod-config';
import * as Comlink from 'comlink';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { BackendName } from '../engine/backend';
import * as tf from '@tensorflow/tfjs-core';
import { Session, type SessionIO } from '../engine/session';
import type { SessionEvent } from '../engine/session/recorder';
import { IdbRunStore } from './idb-run-store';
import type { CallToken, EngineApi, ExportKind, ExportedFile } from './protocol';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
});

async function loadBrowserBackend(name: 'webgpu' | 'webgl'): Promise<void> {
  if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
  else await import('@tensorflow/tfjs-backend-webgl');
}

/** One helper thread for our WASM kernels (used with tfjs's threaded build only). */
function simdHelpers(): Worker {
  return new Worker(new URL('./simd-helper.worker.ts', import.meta.url), {
    type: 'module',
    name: 'advprune-simd-helper',
  });
}

/** A file of the app's public folder, relative to its base URL. */
async function readPublic(path: string): Promise<Uint8Array> {
  const url = new URL(`${import.meta.env.BASE_URL}${path}`, self.location.origin);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** The session the UI talks to, with the worker's additions (EngineApi = SessionApi & WorkerApi). */
class WorkerEngine extends Session implements EngineApi {
  /** the UI's event callback (saves, storage errors, a lost device) */
  private listener: ((e: SessionEvent) => void) | null = null;

  constructor(io: SessionIO) {
    super(io);
  }

  override async init(prefer?: BackendName) {
    const info = await super.init(prefer);
    this.watchDevice();
    return info;
  }

  override watch(cb: ((e: SessionEvent) => void) | null): void {
    this.listener = cb;
    super.watch(cb);
  }

  holdLifeLock(name: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      navigator.locks
        .request(name, () => {
          resolve();
          return new Promise<never>(() => undefined);
        })
        .catch(reject);
    });
  }

  crashForTesting(): void {
    setTimeout(() => self.close(), 0);
  }

  loseDeviceForTesting(): boolean {
    const d = webgpuDevice();
    d?.destroy();
    return d !== null;
  }

  /** Files of the model at the slider's sparsity; their buffers are transferred, not copied. */
  override async exportFiles(kind: ExportKind, token?: CallToken): Promise<ExportedFile[]> {
    const files = await super.exportFiles(kind, token);
    return Comlink.transfer(
      files,
      files.map((f) => f.bytes),
    );
  }

  /** Tell the UI when the WebGPU device is lost (it restarts the worker on another backend). */
  private watchDevice(): void {
    const device = webgpuDevice();
    if (!device) return;
    void device.lost.then((info) => {
      this.listener?.({
        kind: 'device-lost',
        message: `the WebGPU device was lost (${info.reason || 'unknown'}${info.message ? `: ${info.message}` : ''})`,
      });
    });
  }
}

/** The live WebGPU device, when the backend is WebGPU (structural: no @webgpu/types here). */
interface DeviceLike {
  lost: Promise<{ reason: string; message: string }>;
  destroy(): void;
}
function webgpuDevice(): DeviceLike | null {
  if (tf.getBackend() !== 'webgpu') return null;
  const b = tf.backend() as unknown as { device?: DeviceLike };
  return b.device ?? null;
}

Comlink.expose(
  new WorkerEngine({
    readPublic,
    backend: { platform: 'browser', loadBrowserBackend, simdHelpers },
    store: new IdbRunStore(),
  }),
);
