/**
 * State of the Neurons view: the chosen test image and the worker's NeuronView of it (per layer
 * the clean and adversarial activations, anomaly degrees and the current mask's removed
 * neurons). Latest request wins (lib/latest.ts): choosing another image stops the old request
 * in the worker and drops its answer; `shownFor` records the model version, so the view refreshes after the weights change.
 */
import { create } from 'zustand';
import type { NeuronView } from '../../workers/protocol';
import { errorMessage, getEngine } from '../engine-client';
import { readNumber, writeParams } from '../url';
import { useCore } from './core';
import { latest } from '../lib/latest';

export interface NeuronsState {
  /** test-set index, an integer ≥ 0 */
  index: number;
  view: NeuronView | null;
  loading: boolean;
  /** index and model version of the last request (successful or not); null before the first */
  requested: { index: number; modelVersion: number } | null;
  /** show test image `index` (clamped to the test set), fetching its neuron view */
  load(index: number): Promise<void>;
}

const request = latest('neurons', (id) => getEngine().abort(id));

export const useNeurons = create<NeuronsState>()((set) => ({
  index: readNumber('image', 0, 1e9) ?? 0,
  view: null,
  loading: false,
  requested: null,

  async load(index) {
    const core = useCore.getState();
    const test = core.dataset?.test ?? 1;
    const i = Math.min(Math.max(0, Math.floor(Number.isFinite(index) ? index : 0)), test - 1);
    const req = request.begin();
    writeParams({ image: i });
    set({ index: i, loading: true, requested: { index: i, modelVersion: core.modelVersion } });
    core.setActivity(`attacking test image ${i} and tapping every layer…`);
    try {
      const view = await req.call((t) => getEngine().neuronView(i, undefined, t));
      if (req.live()) set({ view });
    } catch (e) {
      if (req.live()) useCore.getState().setError(errorMessage(e));
    } finally {
      if (req.live()) {
        req.end();
        set({ loading: false });
        useCore.getState().setActivity('');
      }
    }
  },
}));
