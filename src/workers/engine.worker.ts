/**
 * The engine's Web Worker entry. All ML runs here, never on the UI thread. The API type is derived
 * from this implementation (`EngineApi = typeof api`) and exposed with Comlink; only plain data
 * crosses the boundary (numbers, strings, typed arrays), never tensors.
 */
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { initBackend, type BackendChoice, type BackendName } from '../engine/backend';
import { loadFashionMnist } from '../engine/data';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
});

async function loadBrowserBackend(name: 'webgpu' | 'webgl'): Promise<void> {
  if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
  else await import('@tensorflow/tfjs-backend-webgl');
}

async function readPublicFile(file: string): Promise<Uint8Array> {
  const url = new URL(
    `${import.meta.env.BASE_URL}datasets/fashion-mnist/${file}`,
    self.location.origin,
  );
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${file}: HTTP ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}

const api = {
  /** Initialize a backend (the preferred one first, then the usual order). */
  async init(prefer?: BackendName): Promise<BackendChoice> {
    return initBackend({ prefer, platform: 'browser', loadBrowserBackend });
  },

  /** Load the bundled Fashion-MNIST split and return a plain summary. */
  async loadFashionMnist(
    split: 'train' | 'test',
  ): Promise<{ n: number; shape: number[]; classes: number }> {
    const ds = await loadFashionMnist(readPublicFile, split);
    return { n: ds.labels.length, shape: [...ds.shape], classes: ds.numClasses };
  },

  /** Live tensor count, for diagnostics. */
  memory(): { numTensors: number; numBytes: number } {
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes };
  },
};

export type EngineApi = typeof api;

Comlink.expose(api);
