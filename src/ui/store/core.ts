/**
 * App-wide state: the live backend, the dataset, the model, the active tab, the current activity
 * and the last error. Views keep their own stores (src/ui/store/<view>.ts) and react to
 * `modelVersion`, which increases whenever the model's weights change (new, imported, trained,
 * fine-tuned), so cached figures are recomputed.
 */
import { create } from 'zustand';
import type { BackendInfo, BackendName, DatasetInfo, ModelInfo } from '../../workers/protocol';
import { errorMessage, getEngine } from '../engine-client';
import { readParam, TABS, writeParams, type TabName } from '../url';

const BACKENDS: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface CoreState {
  backend: BackendInfo | null;
  dataset: DatasetInfo | null;
  model: ModelInfo | null;
  /** increases whenever the model's weights change */
  modelVersion: number;
  tab: TabName;
  /** what the engine is doing, for the status line ('' when idle) */
  activity: string;
  /** the last error, shown in an alert until dismissed */
  error: string | null;
  /** start the engine: backend (from ?backend=), bundled dataset, default model */
  boot(): Promise<void>;
  setTab(tab: TabName): void;
  setActivity(activity: string): void;
  setError(error: string | null): void;
  /** the model changed in the worker (trained, fine-tuned, imported): refresh dependants */
  modelChanged(model?: ModelInfo): void;
  /** load a user's dataset files (IDX pair, CIFAR binary); on error the old dataset stays */
  loadDatasetFiles(files: File[]): Promise<void>;
}

let booted = false;

export const useCore = create<CoreState>()((set, get) => ({
  backend: null,
  dataset: null,
  model: null,
  modelVersion: 0,
  tab:
    readParam(
      'tab',
      TABS.map((t) => t.name),
    ) ?? 'prune',
  activity: '',
  error: null,

  async boot() {
    if (booted) return; // React StrictMode runs effects twice in development
    booted = true;
    const engine = getEngine();
    try {
      set({ activity: 'starting the engine…' });
      const backend = await engine.init(readParam('backend', BACKENDS));
      set({ backend, activity: 'loading Fashion-MNIST…' });
      const dataset = await engine.loadBundledDataset();
      set({ dataset, activity: 'loading the default model…' });
      const model = await engine.loadDefaultModel();
      set({ model, modelVersion: get().modelVersion + 1, activity: '' });
    } catch (e) {
      set({ error: errorMessage(e), activity: '' });
    }
  },

  setTab(tab) {
    writeParams({ tab });
    set({ tab });
  },

  setActivity(activity) {
    set({ activity });
  },

  setError(error) {
    set({ error });
  },

  modelChanged(model) {
    set({ model: model ?? get().model, modelVersion: get().modelVersion + 1 });
  },

  async loadDatasetFiles(files) {
    const engine = getEngine();
    try {
      set({ activity: `reading ${files.map((f) => f.name).join(', ')}…` });
      const payload = await Promise.all(
        files.map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })),
      );
      const dataset = await engine.loadDatasetFiles(payload);
      set({ dataset, activity: '', error: null });
    } catch (e) {
      set({ error: errorMessage(e), activity: '' });
    }
  },
}));
