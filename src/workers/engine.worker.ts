/**
 * The engine's Web Worker entry: a thin Comlink wrapper around one engine Session
 * (src/engine/session). All ML runs here, never on the UI thread. The API type is derived from
 * this implementation (`EngineApi = typeof api`); only plain data crosses the boundary (numbers,
 * strings, typed arrays), never tensors. Callbacks (`onTick`, `onProgress`, ...) arrive as
 * Comlink proxies; exported files come back as transferred ArrayBuffers. docs/worker-api.md.
 */
import * as Comlink from 'comlink';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { describeBackend, type BackendDescription, type BackendName } from '../engine/backend';
import { Session } from '../engine/session';
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
});

const api = {
  init: (prefer?: BackendName) => session.init(prefer),
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
