/**
 * App-wide state: the live backend, the dataset, the model, the active tab, the current activity
 * and the last error. Views keep their own stores (src/ui/store/<view>.ts) and react to
 * `modelVersion`, which increases whenever the model's weights change (new, imported, trained,
 * fine-tuned), so cached figures are recomputed. Starting the engine and recovering from a dead
 * worker live in lifecycle.ts (they drive the runs and train stores; this store imports neither).
 */
import { create } from 'zustand';
import {
  CHECKPOINT_EVERY_SEC,
  type ArchitectureName,
  type BackendInfo,
  type DatasetInfo,
  type ModelInfo,
} from '../../workers/protocol';
import { errorMessage, getEngine } from '../engine-client';
import { readNumber, readParam, TABS, writeParams, type TabName } from '../url';

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
  /** what the app did on its own (e.g. restarted the worker), shown until dismissed */
  notice: string | null;
  setNotice(notice: string | null): void;
  setDataset(dataset: DatasetInfo): void;
  setTab(tab: TabName): void;
  setActivity(activity: string): void;
  setError(error: string | null): void;
  /** the model changed in the worker (trained, fine-tuned, imported): refresh dependants */
  modelChanged(model?: ModelInfo): void;
  /** load a user's dataset files (IDX pair, CIFAR binary); on error the old dataset stays */
  loadDatasetFiles(files: File[]): Promise<void>;
  /** load the bundled Fashion-MNIST */
  loadBundledDataset(): Promise<void>;
  /** a new model of `architecture` (initial weights from `seed`), or the bundled default */
  loadModel(choice: { architecture: ArchitectureName; seed: number } | 'default'): Promise<void>;
}

/** Seconds of training between timer checkpoints: `?ckptSec=` (1-3600), else the engine's default. */
export function checkpointEverySec(): number {
  return readNumber('ckptSec', 1, 3600) ?? CHECKPOINT_EVERY_SEC;
}

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
  notice: null,

  setNotice(notice) {
    set({ notice });
  },

  setDataset(dataset) {
    set({ dataset });
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

  async loadBundledDataset() {
    try {
      set({ activity: 'loading Fashion-MNIST…' });
      const dataset = await getEngine().loadBundledDataset();
      set({ dataset, activity: '', error: null });
    } catch (e) {
      set({ error: errorMessage(e), activity: '' });
    }
  },

  async loadModel(choice) {
    const engine = getEngine();
    try {
      set({
        activity:
          choice === 'default'
            ? 'loading the default model…'
            : `creating a new ${choice.architecture}…`,
      });
      const model =
        choice === 'default'
          ? await engine.loadDefaultModel()
          : await engine.newModel(choice.architecture, choice.seed);
      get().modelChanged(model);
      set({ activity: '' });
    } catch (e) {
      set({ error: errorMessage(e), activity: '' });
    }
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
