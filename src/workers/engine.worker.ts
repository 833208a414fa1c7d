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
import {
  describeBackend,
  initBackend,
  type BackendChoice,
  type BackendDescription,
  type BackendName,
} from '../engine/backend';
import { loadFashionMnist } from '../engine/data';
import { parseExperimentConfig, runExperiment, type ExperimentReport } from '../engine/experiment';
import { disposeModel } from '../engine/model/init';

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

  /** Plain-data facts about the live backend (WASM SIMD/threads, WebGPU fallback adapter, ...). */
  async describe(): Promise<BackendDescription> {
    return describeBackend();
  },

  /**
   * Validate and run an experiment config in the worker (the same runner as the CLI); returns
   * its report. A bad config rejects with a ConfigError naming each field.
   * Progress arrives through `onProgress` (a Comlink-proxied callback) as plain data.
   */
  async runExperiment(
    input: unknown,
    onProgress?: (stage: string, done: number, total: number) => void,
  ): Promise<ExperimentReport> {
    const config = parseExperimentConfig(input, 'experiment');
    const backend = await initBackend({
      prefer: (config.backend as BackendName | undefined) ?? (tf.getBackend() as BackendName),
      platform: 'browser',
      loadBrowserBackend,
    });
    const environment = {
      platform: 'browser',
      runtime: self.navigator.userAgent,
      cpus: self.navigator.hardwareConcurrency,
      tfjsVersion: tf.version_core,
      backend,
      backendDetails: await describeBackend(),
    };
    const readFile = async (file: string) => {
      throw new Error(`${file}: user files are not available in the browser runner yet`);
    };
    const { report, model, variants } = await runExperiment(
      config,
      { fashionMnist: readPublicFile, file: readFile },
      environment,
      {
        onTrainProgress: (p) => onProgress?.('train', p.step, p.epochs * p.batchesPerEpoch),
        onEvalProgress: (p) => onProgress?.(`eval ${p.attack ?? 'clean'}`, p.done, p.total),
      },
    );
    disposeModel(model);
    for (const v of variants) disposeModel(v.model);
    return report;
  },

  /** Live tensor count, for diagnostics. */
  memory(): { numTensors: number; numBytes: number } {
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes };
  },
};

export type EngineApi = typeof api;

Comlink.expose(api);
