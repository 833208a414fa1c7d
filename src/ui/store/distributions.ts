/**
 * State of the Distributions view: the histograms of the current model's weights (kept and
 * removed by the slider's mask) and of the current criterion's scores, from the worker's
 * `distributions`. Latest request wins (lib/latest.ts): a new request (the weights, the mask or the
 * slider changed) stops the old one in the worker and drops its answer.
 */
import { create } from 'zustand';
import type { LayerDistribution, ScoreHistogram } from '../../workers/protocol';
import { errorMessage, getEngine } from '../engine-client';
import { latest } from '../lib/latest';
import { useCore } from './core';

/** Histogram bins per layer and for the scores. */
export const BINS = 60;

export interface Distributions {
  layers: LayerDistribution[];
  scores: ScoreHistogram | null;
  /** the slider value (fraction) they were computed at, null before the slider is ready */
  sparsity: number | null;
}

export interface DistributionsState {
  dist: Distributions | null;
  /** fetch the histograms; `sparsity` is the slider value the worker's mask stands at (or null) */
  load(sparsity: number | null): Promise<void>;
}

const request = latest('distributions', (id) => getEngine().abort(id));

export const useDistributions = create<DistributionsState>()((set) => ({
  dist: null,

  async load(sparsity) {
    const req = request.begin();
    const core = useCore.getState();
    core.setActivity('histograms of weights and scores…');
    try {
      const r = await req.call((t) => getEngine().distributions(BINS, t));
      if (!req.live()) return;
      set({ dist: { ...r, sparsity } });
      core.setActivity('');
    } catch (e) {
      if (!req.live()) return;
      core.setError(errorMessage(e));
      core.setActivity('');
    } finally {
      req.end();
    }
  },
}));
