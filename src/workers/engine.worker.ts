/**
 * The engine's Web Worker entry: a thin Comlink wrapper around one engine Session
 * (src/engine/session). All ML runs here, never on the UI thread. The API type is derived from
 * this implementation (`EngineApi = typeof api`); only plain data crosses the boundary (numbers,
 * strings, typed arrays), never tensors. Callbacks (`onTick`, `onProgress`, ...) arrive as
 * Comlink proxies; exported files come back as transferred ArrayBuffers. docs/worker-api.md.
 */
import '../ui/zod-config';
import * as Comlink from 'comlink';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { describeBackend, type BackendDescription, type BackendName } from '../engine/backend';
import * as tf from '@tensorflow/tfjs-core';
import { Session } from '../engine/session';
import type { SessionEvent } from '../engine/session/recorder';
import { IdbRunStore } from './idb-run-store';
import type { ExportKind } from '../engine/session';
import type { TrainConfigInput } from '../engine/train/config';
import type {
  AttackChoice,
  Criterion,
  EpochMetrics,
  Progress,
  ScoreRequest,
  SliderPoint,
  SliderRequest,
  TrainTick,
  TransferRequest,
} from './protocol';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
});

async function loadBrowserBackend(name: 'webgpu' | 'webgl'): Promise<void> {
  if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
  else await import('@tensorflow/tfjs-backend-webgl');
}

/** A file of the app's public folder, relative to its base URL. */
async function readPublic(path: string): Promise<Uint8Array> {
  const url = new URL(`${import.meta.env.BASE_URL}${path}`, self.location.origin);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}

const session = new Session({
  readPublic,
  backend: { platform: 'browser', loadBrowserBackend },
  store: new IdbRunStore(),
});

/** the UI's event callback (saves, storage errors, a lost device) */
let listener: ((e: SessionEvent) => void) | null = null;

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

/** Tell the UI when the WebGPU device is lost (it restarts the worker on another backend). */
function watchDevice(): void {
  const device = webgpuDevice();
  if (!device) return;
  void device.lost.then((info) => {
    listener?.({
      kind: 'device-lost',
      message: `the WebGPU device was lost (${info.reason || 'unknown'}${info.message ? `: ${info.message}` : ''})`,
    });
  });
}

const api = {
  async init(prefer?: BackendName) {
    const info = await session.init(prefer);
    watchDevice();
    return info;
  },
  /** Receive session events (saves, storage errors, device loss). */
  watch(cb: ((e: SessionEvent) => void) | null) {
    listener = cb;
    session.watch(cb);
  },
  /**
   * Hold the Web Lock `name` for the worker's lifetime; resolves once held. The UI then waits on
   * the same lock: it is granted to the UI exactly when this worker dies (crash, close, kill).
   */
  holdLifeLock(name: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      navigator.locks
        .request(name, () => {
          resolve();
          return new Promise<never>(() => undefined);
        })
        .catch(reject);
    });
  },
  /** Seconds of training between timer checkpoints (≥ 1). */
  setCheckpointInterval: (sec: number) => session.setCheckpointInterval(sec),
  /** Fault injection for tests and for trying recovery: the worker stops as if it crashed. */
  crashForTesting() {
    setTimeout(() => self.close(), 0);
  },
  /** Fault injection: destroy the WebGPU device (a real device loss); false if not on WebGPU. */
  loseDeviceForTesting(): boolean {
    const d = webgpuDevice();
    d?.destroy();
    return d !== null;
  },

  listRuns: () => session.listRuns(),
  deleteRun: (id: string) => session.deleteRun(id),
  openRun: (id: string) => session.openRun(id),
  storageInfo: () => session.storageInfo(),

  describe: (): Promise<BackendDescription> => describeBackend(),
  memory: () => session.memory(),
  cancel: () => session.cancel(),

  loadBundledDataset: () => session.loadBundledDataset(),
  loadDatasetFiles: (files: { name: string; bytes: ArrayBuffer }[]) =>
    session.loadDatasetFiles(files),
  datasetInfo: () => session.datasetInfo(),

  loadDefaultModel: () => session.loadDefaultModel(),
  newModel: (architecture: string, seed: number) => session.newModel(architecture, seed),
  importModel: (bytes: ArrayBuffer, fileName: string) => session.importModel(bytes, fileName),
  importTfjs: (json: string, weights: ArrayBuffer) => session.importTfjs(json, weights),
  modelInfo: () => session.modelInfo(),

  train: (
    config: TrainConfigInput,
    onTick?: (t: TrainTick) => void,
    onEpoch?: (e: EpochMetrics) => void,
  ) => session.train(config, onTick, onEpoch),
  step: (
    config: TrainConfigInput,
    onTick?: (t: TrainTick) => void,
    onEpoch?: (e: EpochMetrics) => void,
  ) => session.step(config, onTick, onEpoch),
  resume: (onTick?: (t: TrainTick) => void, onEpoch?: (e: EpochMetrics) => void) =>
    session.resume(onTick, onEpoch),
  pause: () => session.pause(),
  resetTraining: () => session.resetTraining(),
  trainState: () => session.trainState(),

  computeScores: (req: ScoreRequest, onProgress?: (p: Progress) => void) =>
    session.computeScores(req, onProgress),
  shippedPaths: () => session.shippedPaths(),
  prepareSlider: (req: SliderRequest, onProgress?: (p: Progress) => void) =>
    session.prepareSlider(req, onProgress),
  evaluateSparsity: (sparsity: number, onPartial?: (p: SliderPoint) => void) =>
    session.evaluateSparsity(sparsity, onPartial),
  sparsityCurve: (
    criteria: Criterion[],
    sparsities: number[],
    onProgress?: (p: Progress) => void,
  ) => session.sparsityCurve(criteria, sparsities, onProgress),
  fineTunePruned: (
    config: TrainConfigInput,
    onTick?: (t: TrainTick) => void,
    onEpoch?: (e: EpochMetrics) => void,
  ) => session.fineTunePruned(config, onTick, onEpoch),

  neuronView: (index: number, attack?: AttackChoice) => session.neuronView(index, attack),
  distributions: (bins?: number) => session.distributions(bins),
  adversarialExamples: (count: number, attack?: AttackChoice) =>
    session.adversarialExamples(count, attack),
  transferBenchmark: (req: TransferRequest, onProgress?: (p: Progress) => void) =>
    session.transferBenchmark(req, onProgress),

  /** Files of the model at the slider's sparsity; their buffers are transferred, not copied. */
  async exportFiles(kind: ExportKind) {
    const files = await session.exportFiles(kind);
    return Comlink.transfer(
      files,
      files.map((f) => f.bytes),
    );
  },
  report: () => session.report(),
};

export type EngineApi = typeof api;

Comlink.expose(api);
