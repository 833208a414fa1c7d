/**
 * Stored training runs (IndexedDB, kept by the worker; src/engine/session/runs.ts): the list of
 * past runs to reopen, compare and delete, the last save of the live run ("saved at step N"),
 * and the offer to resume a run that a reload, a crash or a lost device interrupted.
 *
 * - On boot the newest run that was running or paused is offered (`offer`): Resume opens it in
 *   the worker (its dataset, its model at the last checkpoint, its state) and continues it.
 * - After a worker restart the core store reopens the live run itself and offers it as
 *   'recovered'.
 * - Storage errors (a full quota) are shown in the app's alert and kept in `lastError`.
 */
import { create } from 'zustand';
import type { RunRecord, SessionEvent } from '../../workers/protocol';
import { errorMessage, getEngine } from '../engine-client';
import { useCore } from './core';
import { useTrain } from './train';

export interface RunOffer {
  record: RunRecord;
  /** 'interrupted': found on boot; 'recovered': reopened after the worker was restarted */
  why: 'interrupted' | 'recovered';
  /** whether the worker already holds the run (reopened), so Resume only continues it */
  opened: boolean;
}

export interface RunsStore {
  runs: RunRecord[];
  /** ids ticked for the comparison chart */
  compare: string[];
  offer: RunOffer | null;
  /** the live run's last successful save */
  lastSave: { runId: string; step: number; reason: string; at: string } | null;
  /** the last failed save's message ('' when the latest save worked) */
  lastError: string;
  /** storage used / quota in bytes, when the browser tells */
  usage: { usage: number | null; quota: number | null } | null;
  refresh(): Promise<void>;
  /** after boot: offer the newest unfinished run */
  offerUnfinished(): Promise<void>;
  setOffer(offer: RunOffer | null): void;
  /** load a stored run into the worker (dataset, model, paused state) */
  open(id: string): Promise<boolean>;
  /** continue the offered (or given) run from its last checkpoint */
  resume(id: string): Promise<void>;
  remove(id: string): Promise<void>;
  toggleCompare(id: string): void;
  onEvent(e: SessionEvent): void;
}

/** Statuses of a stored run that a resume continues. */
const UNFINISHED: readonly RunRecord['status'][] = ['running', 'paused', 'stopped', 'idle'];

export function isUnfinished(r: RunRecord): boolean {
  return UNFINISHED.includes(r.status);
}

export const useRuns = create<RunsStore>()((set, get) => ({
  runs: [],
  compare: [],
  offer: null,
  lastSave: null,
  lastError: '',
  usage: null,

  async refresh() {
    try {
      const engine = getEngine();
      const [runs, info] = await Promise.all([engine.listRuns(), engine.storageInfo()]);
      const ids = new Set(runs.map((r) => r.id));
      set({
        runs,
        compare: get().compare.filter((id) => ids.has(id)),
        usage: { usage: info.usage, quota: info.quota },
        lastError: info.lastError ?? get().lastError,
      });
    } catch (e) {
      useCore.getState().setError(`could not list the stored runs: ${errorMessage(e)}`);
    }
  },

  async offerUnfinished() {
    await get().refresh();
    const newest = get().runs[0];
    if (newest && isUnfinished(newest))
      set({ offer: { record: newest, why: 'interrupted', opened: false } });
  },

  setOffer(offer) {
    set({ offer });
  },

  async open(id) {
    const core = useCore.getState();
    try {
      core.setActivity('opening the stored run…');
      const opened = await getEngine().openRun(id);
      core.setDataset(opened.dataset);
      core.modelChanged(opened.model);
      useTrain.getState().adopt(opened.state);
      core.setActivity('');
      return true;
    } catch (e) {
      core.setActivity('');
      core.setError(`could not open the run: ${errorMessage(e)}`);
      return false;
    }
  },

  async resume(id) {
    const offer = get().offer;
    const opened = offer?.record.id === id && offer.opened;
    set({ offer: null });
    if (!opened && !(await get().open(id))) return;
    useCore.getState().setTab('train');
    await useTrain.getState().continueRun();
    await get().refresh();
  },

  async remove(id) {
    try {
      await getEngine().deleteRun(id);
      if (get().offer?.record.id === id) set({ offer: null });
    } catch (e) {
      useCore.getState().setError(`could not delete the run: ${errorMessage(e)}`);
    }
    await get().refresh();
  },

  toggleCompare(id) {
    const c = get().compare;
    set({ compare: c.includes(id) ? c.filter((x) => x !== id) : [...c, id] });
  },

  onEvent(e) {
    if (e.kind === 'saved') {
      // the live run is the only one saving: this is how the UI learns a new run's id
      if (useTrain.getState().runId !== e.runId) useTrain.setState({ runId: e.runId });
      set({
        lastSave: { runId: e.runId, step: e.step, reason: e.reason, at: e.at },
        lastError: '',
      });
    } else if (e.kind === 'storage-error') {
      set({ lastError: e.message });
      useCore.getState().setError(e.message);
    }
  },
}));
