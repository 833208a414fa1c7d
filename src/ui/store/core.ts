/**
 * App-wide state: the live backend, the dataset, the model, the active tab, the current activity
 * and the last error. Views keep their own stores (src/ui/store/<view>.ts) and react to
 * `modelVersion`, which increases whenever the model's weights change (new, imported, trained,
 * fine-tuned), so cached figures are recomputed.
 */
import { create } from 'zustand';
import type {
  BackendInfo,
  BackendName,
  DatasetInfo,
  ModelInfo,
  SessionEvent,
} from '../../workers/protocol';
import { CHECKPOINT_EVERY_SEC } from '../../engine/session/recorder';
import { callback, errorMessage, getEngine, onWorkerDeath, stopEngine } from '../engine-client';
import { readNumber, readParam, TABS, writeParams, type TabName } from '../url';
import { useRuns } from './runs';
import { useTrain } from './train';

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
  /** what the app did on its own (e.g. restarted the worker), shown until dismissed */
  notice: string | null;
  /** start the engine: backend (from ?backend=), bundled dataset, default model */
  boot(): Promise<void>;
  /**
   * The worker died or lost its device: restart it (off WebGPU when the device is gone), reopen
   * the live run at its last checkpoint (else the bundled data and default model) and say so.
   */
  recover(reason: string, deviceLost: boolean): Promise<void>;
  setNotice(notice: string | null): void;
  setDataset(dataset: DatasetInfo): void;
  setTab(tab: TabName): void;
  setActivity(activity: string): void;
  setError(error: string | null): void;
  /** the model changed in the worker (trained, fine-tuned, imported): refresh dependants */
  modelChanged(model?: ModelInfo): void;
  /** load a user's dataset files (IDX pair, CIFAR binary); on error the old dataset stays */
  loadDatasetFiles(files: File[]): Promise<void>;
}

let booted = false;
let recovering = false;

/** Seconds of training between timer checkpoints: `?ckptSec=` (1-3600), else the engine's default. */
export function checkpointEverySec(): number {
  return readNumber('ckptSec', 1, 3600) ?? CHECKPOINT_EVERY_SEC;
}

/** Start a worker on `prefer` and wire its events and checkpoint interval. */
async function startEngine(prefer: BackendName | undefined): Promise<BackendInfo> {
  const engine = getEngine();
  await engine.watch(callback((e: SessionEvent) => onEngineEvent(e)));
  if (readNumber('ckptSec', 1, 3600) !== undefined)
    await engine.setCheckpointInterval(checkpointEverySec());
  return engine.init(prefer);
}

function onEngineEvent(e: SessionEvent): void {
  if (e.kind === 'device-lost') void useCore.getState().recover(e.message, true);
  else if (e.kind === 'engine-broken') void useCore.getState().recover(e.message, false);
  else useRuns.getState().onEvent(e);
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

  async boot() {
    if (booted) return; // React StrictMode runs effects twice in development
    booted = true;
    onWorkerDeath((reason) => void get().recover(reason, false));
    const engine = getEngine();
    try {
      set({ activity: 'starting the engine…' });
      const backend = await startEngine(readParam('backend', BACKENDS));
      set({ backend, activity: 'loading Fashion-MNIST…' });
      const dataset = await engine.loadBundledDataset();
      set({ dataset, activity: 'loading the default model…' });
      const model = await engine.loadDefaultModel();
      set({ model, modelVersion: get().modelVersion + 1, activity: '' });
      await useRuns.getState().offerUnfinished();
    } catch (e) {
      set({ error: errorMessage(e), activity: '' });
    }
  },

  async recover(reason, deviceLost) {
    if (recovering) return;
    recovering = true;
    const runId = useTrain.getState().runId;
    const was = get().backend?.name;
    // off WebGPU when its device is gone: the CPU path always works (WebGL shares the GPU)
    const prefer: BackendName | undefined = deviceLost || was === 'webgpu' ? 'wasm' : was;
    try {
      set({ notice: `${reason}: restarting the engine…`, activity: 'restarting the engine…' });
      stopEngine();
      useTrain.getState().engineLost();
      const backend = await startEngine(prefer);
      set({ backend });
      const engine = getEngine();
      let restored = '';
      let opened: Awaited<ReturnType<typeof engine.openRun>> | null = null;
      if (runId) {
        try {
          opened = await engine.openRun(runId);
        } catch (e) {
          // e.g. the run was never saved (a full quota): start from the defaults, and say so
          restored = `; the run could not be restored (${errorMessage(e)}), so the default model is loaded`;
        }
      }
      if (opened) {
        set({ dataset: opened.dataset });
        get().modelChanged(opened.model);
        useTrain.getState().adopt(opened.state);
        useRuns.getState().setOffer({ record: opened.record, why: 'recovered', opened: true });
        restored =
          opened.state.step > 0
            ? ` and restored the run '${opened.record.name}' at its last checkpoint, step ${opened.state.step}: press Resume to go on`
            : ` and reopened the run '${opened.record.name}' (no checkpoint yet: Resume starts it again)`;
      } else {
        useTrain.getState().forget();
        set({ dataset: await engine.loadBundledDataset() });
        get().modelChanged(await engine.loadDefaultModel());
      }
      set({
        notice: `${reason}. The engine was restarted on ${backend.name}${restored}.`,
        activity: '',
      });
      await useRuns.getState().refresh();
    } catch (e) {
      set({ error: `${reason}, and restarting it failed: ${errorMessage(e)}`, activity: '' });
    } finally {
      recovering = false;
    }
  },

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
